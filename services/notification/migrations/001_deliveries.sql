-- One row per (idempotency key, recipient, channel): the unique key is what makes a page
-- delivered exactly once even when its command is redelivered.
create table deliveries (
  id uuid primary key,
  idempotency_key text not null,
  recipient_id text not null,
  channel text not null check (channel in ('email', 'sms', 'slack', 'teams')),
  ticket_id uuid,
  status text not null check (status in ('queued', 'sent', 'delivered', 'failed')),
  attempts integer not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (idempotency_key, recipient_id, channel)
);
create index deliveries_ticket_idx on deliveries (ticket_id, created_at);
