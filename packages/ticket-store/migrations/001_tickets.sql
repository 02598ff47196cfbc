-- The ticket read model. The ticket workflow owns escalation state; these rows mirror it for
-- queries and are written by the API at creation and by workflow activities afterwards.
create sequence ticket_number_seq start with 1001;

create table tickets (
  id uuid primary key,
  number text not null unique,
  title text not null,
  description text not null default '',
  category text not null,
  site_id text not null,
  requester_id text not null,
  impact text not null check (impact in ('one_user', 'department', 'whole_site')),
  urgency text not null check (urgency in ('low', 'medium', 'high')),
  patient_care_affected boolean not null default false,
  priority text not null check (priority in ('P1', 'P2', 'P3', 'P4')),
  status text not null,
  tier smallint not null default 1 check (tier between 1 and 3),
  policy_version integer not null default 0,
  workflow_id text not null unique,
  -- Client-supplied Idempotency-Key: a retried POST returns the ticket it already made.
  idempotency_key text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (requester_id, idempotency_key)
);

create index tickets_site_created_idx on tickets (site_id, created_at desc);
create index tickets_requester_idx on tickets (requester_id);
