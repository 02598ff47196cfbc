-- The requester's answer to the one satisfaction question after she confirmed a resolution with
-- the "Fixed" link (docs/decisions/0035): 1 (not at all) to 5 (very), and an optional short
-- comment. One answer per ticket resolution: a ticket reopened and resolved again can be rated
-- again, so the key is the link the answer came through. The comment is free text a person wrote:
-- it stays here, and the ticket.satisfaction_recorded event says only whether there is one.
create table ticket_satisfaction (
  link_id uuid primary key,                  -- the identity service's requester_links row
  ticket_id uuid not null references tickets(id),
  requester_id text not null,
  rating smallint not null check (rating between 1 and 5),
  comment text check (char_length(comment) <= 500),
  answered_at timestamptz not null default now(),
  event_id uuid not null unique               -- the ticket.satisfaction_recorded event, on the timeline
);
create index ticket_satisfaction_ticket_idx on ticket_satisfaction (ticket_id, answered_at);
