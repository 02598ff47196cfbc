-- What IT posts about a major incident ("EHR down at North; vendor engaged; next update 14:00").
-- Its text is free text and stays in the ticket database, like comments: the workflow and the
-- `ticket.incident_status_posted` event name the post by id only (docs/decisions/0022, 0041).
create table incident_status_posts (
  id uuid primary key,
  ticket_id uuid not null references tickets (id),
  message text not null check (length(message) between 1 and 2000),
  posted_by text not null,
  posted_by_role text not null,
  posted_at timestamptz not null default now(),
  next_update_at timestamptz null
);
create index incident_status_posts_ticket on incident_status_posts (ticket_id, posted_at desc);

