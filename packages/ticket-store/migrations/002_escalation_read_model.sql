-- What the escalation workflow keeps current on each ticket, plus comments, watchers and the
-- timeline. All of it is read model: the workflow decides, activities write here.
alter table tickets
  add column team_id text,
  add column assignee_id text,
  add column vendor_org_id text,
  add column acknowledged_at timestamptz,
  add column resolved_at timestamptz,
  add column closed_at timestamptz,
  add column next_deadline_at timestamptz,
  add column next_deadline_kind text,
  add column sla_at_risk boolean not null default false,
  add column escalation_level integer not null default 0;

create index tickets_queue_idx on tickets (next_deadline_at nulls last, id);
create index tickets_status_idx on tickets (status);
create index tickets_team_idx on tickets (team_id);
create index tickets_assignee_idx on tickets (assignee_id);
create index tickets_vendor_idx on tickets (vendor_org_id) where vendor_org_id is not null;

create table ticket_watchers (
  ticket_id uuid not null references tickets (id),
  user_id text not null,
  added_at timestamptz not null default now(),
  primary key (ticket_id, user_id)
);

create table ticket_comments (
  id uuid primary key,
  ticket_id uuid not null references tickets (id),
  author_id text not null,
  author_role text not null,
  visibility text not null check (visibility in ('public', 'internal')),
  body text not null,
  created_at timestamptz not null
);
create index ticket_comments_ticket_idx on ticket_comments (ticket_id, created_at);

-- One row per event of the ticket, keyed by event id so an activity retry writes it once.
create table ticket_timeline (
  event_id uuid primary key,
  ticket_id uuid not null references tickets (id),
  type text not null,
  occurred_at timestamptz not null,
  actor_kind text not null,
  actor_id text not null,
  data jsonb not null default '{}'
);
create index ticket_timeline_ticket_idx on ticket_timeline (ticket_id, occurred_at);
