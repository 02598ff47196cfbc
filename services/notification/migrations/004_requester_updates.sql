-- Status updates to the people who reported a ticket and those who watch it (docs/decisions/0034).

-- Updates are delivery rows like pages: same exactly-once key, retries, provider status, events.
alter table deliveries drop constraint deliveries_kind_check;
alter table deliveries add constraint deliveries_kind_check check (kind in ('page', 'alert', 'update'));

-- Ticket events already taken into account, by event id: a redelivered or re-published event
-- changes nothing the second time (it is recorded in the same transaction as its effects).
create table seen_ticket_events (
  event_id uuid primary key,
  type text not null,
  seen_at timestamptz not null default now()
);

-- What this service keeps of a ticket from its events: its number and latest status.
create table followed_tickets (
  ticket_id uuid primary key,
  number text not null,
  status text,
  updated_at timestamptz not null default now()
);

-- Who is told of a ticket's changes: its requester (ticket.created) and its watchers
-- (ticket.watcher_added / ticket.watcher_removed). A removed watcher's row goes.
create table ticket_followers (
  ticket_id uuid not null,
  user_id text not null,
  role text not null check (role in ('requester', 'watcher')),
  primary key (ticket_id, user_id, role)
);

-- One update per person and change burst: the changes to one ticket within the coalescing window
-- go into one open burst, sent as one message once `due_at` has passed. `open` takes further
-- changes; `closed` takes none (the poller is making its deliveries); `dispatched` has them.
create table update_bursts (
  id uuid primary key,
  ticket_id uuid not null,
  recipient_id text not null,
  state text not null default 'open' check (state in ('open', 'closed', 'dispatched', 'failed')),
  opened_at timestamptz not null default now(),
  due_at timestamptz not null,
  attempts integer not null default 0,
  last_error text
);
-- At most one open burst per ticket and person.
create unique index update_bursts_open_idx on update_bursts (ticket_id, recipient_id) where state = 'open';
create index update_bursts_due_idx on update_bursts (due_at) where state in ('open', 'closed');

-- The changes a burst reports, one row per event and person.
create table update_changes (
  event_id uuid not null,
  recipient_id text not null,
  burst_id uuid not null references update_bursts (id),
  type text not null,
  occurred_at timestamptz not null,
  data jsonb not null,
  primary key (event_id, recipient_id)
);
create index update_changes_burst_idx on update_changes (burst_id, occurred_at);
