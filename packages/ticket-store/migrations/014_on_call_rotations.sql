-- Repeating on-call rotations (decision 45): one per team. The pager passes from one participant
-- to the next, in order, every length_days days at handoff_time on the wall clock of time_zone;
-- the first hand-off is on start_date, or on the first handoff_weekday on or after it. The shifts
-- are computed, never stored (packages/domain/src/assignment/rotation.ts), so a rotation runs
-- without end and an edit applies to every shift to come at once.
--
-- The one-off shifts of on_call_shifts (004) are the rotation's overrides: for its span, an
-- override replaces whoever the rotation names. A team without a rotation is on call only
-- through them, as before.
create table on_call_rotations (
  team_id text primary key references teams (id) on delete cascade,
  -- Usernames of team members, in hand-off order. Removing a member who is in it is refused.
  participants text[] not null check (cardinality(participants) between 1 and 50),
  handoff_weekday text check (handoff_weekday in ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')),
  handoff_time text not null check (handoff_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  length_days integer not null check (length_days between 1 and 28),
  time_zone text not null,
  start_date date not null,
  updated_by text not null,
  updated_at timestamptz not null default now()
);
