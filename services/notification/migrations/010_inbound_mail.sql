-- Mail received by the SMTP listener (src/inbound/). A message is answered 250 only once its row
-- is committed here; processing happens after, from this row, so a crash loses nothing. The
-- unique dedupe key (the Message-ID, or a hash of the message when it has none) makes a message
-- delivered twice (the relay retrying, a resend) one row, acted on once.
create table inbound_messages (
  id uuid primary key,
  dedupe_key text not null unique,
  message_id text,
  raw bytea not null,
  -- The SMTP envelope: the return path ('' for bounces) and the accepted recipients.
  mail_from text not null,
  rcpt_to text[] not null,
  client_address text not null,
  received_at timestamptz not null default now(),
  -- received → (processing) → done | held | ignored | failed
  status text not null default 'received' check (status in ('received', 'done', 'held', 'ignored', 'failed')),
  -- What was done or why not, in words for IT (never the body).
  outcome text,
  ticket_id uuid,
  ticket_number text,
  sender text,
  subject text,
  attachment_count integer not null default 0,
  attempts integer not null default 0,
  last_error text,
  next_attempt_at timestamptz not null default now(),
  -- A processor working on the row holds this lease; a crashed processor's lease expires.
  claimed_until timestamptz,
  processed_at timestamptz
);
create index inbound_messages_due_idx on inbound_messages (next_attempt_at) where status = 'received';
create index inbound_messages_status_idx on inbound_messages (status, received_at);

-- Automatic answers (unknown sender, closed ticket), one per message at most, and the per-sender
-- rate limit reads them.
create table inbound_replies (
  inbound_id uuid primary key references inbound_messages (id),
  recipient text not null,
  kind text not null check (kind in ('unknown_sender', 'ticket_closed', 'not_allowed')),
  sent_at timestamptz not null default now()
);
create index inbound_replies_recipient_idx on inbound_replies (lower(recipient), sent_at);
