-- Automated assignment: teams and their members, ordered routing rules, per-team on-call rotas,
-- round-robin state and the decisions the assignment activity made (workflows/src/activities/
-- assignment.ts reads and writes these; the API in routes/v1_assignment_*.ts edits them).
--
-- People are identified by their Keycloak username (the token's preferred_username): it is what
-- an IT lead knows and types, and it is known before anybody has logged in, so the seed below can
-- name the demo users. Keycloak user ids (the token's `sub`, what tickets.assignee_id holds) are
-- random per installation; team_members.user_id records it once known (sent by the lead, or taken
-- from the member's own token when they edit themselves). Only members with a known user id can
-- be assigned automatically, because the assignee must be written as a user id.

create table teams (
  id text primary key check (id ~ '^[a-z][a-z0-9_-]*$'),
  name text not null,
  tier smallint not null check (tier in (1, 2)),
  time_zone text not null,
  -- Same shape as a business_hours calendar's weeklyHours: {"mon": [{"start": "08:00", "end": "18:00"}], …}.
  -- Outside these hours P1/P2 tickets go to the team's on-call rota.
  weekly_hours jsonb not null,
  lead_username text,
  updated_by text not null,
  updated_at timestamptz not null default now()
);

create table team_members (
  team_id text not null references teams (id) on delete cascade,
  username text not null,
  user_id text,
  display_name text not null,
  skills text[] not null default '{}',
  -- Off sick, on leave, busy with a project: not picked by automatic assignment (on-call still is).
  available boolean not null default true,
  updated_by text not null,
  updated_at timestamptz not null default now(),
  primary key (team_id, username)
);
create index team_members_user_idx on team_members (user_id) where user_id is not null;

-- The ordered routing list. A null category or site means "any". The most specific matching rule
-- wins (both set > one set > neither); among equally specific ones, the lowest position.
-- The API replaces the whole list at once, so positions are always 0..n-1.
create table assignment_rules (
  position integer primary key check (position >= 0),
  category text,
  site_id text,
  team_id text not null references teams (id),
  required_skills text[] not null default '{}',
  -- Where tickets matched by this rule go at tier 2 (a tier-2 team); null: the default tier-2 team.
  escalation_team_id text references teams (id),
  unique nulls not distinct (category, site_id)
);

-- On-call rota: who answers for a team out of hours. Shifts of one team must not overlap. That is
-- checked by the API under a lock of the team row rather than by an exclusion constraint, which
-- would need the btree_gist extension (superuser to install). The gist index serves both the
-- overlap check and "who is on call at instant T".
create table on_call_shifts (
  id uuid primary key,
  team_id text not null references teams (id) on delete cascade,
  username text not null,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  created_by text not null,
  created_at timestamptz not null default now(),
  check (ends_at > starts_at)
);
create index on_call_shifts_team_idx on on_call_shifts (team_id, starts_at);
create index on_call_shifts_range_idx on on_call_shifts using gist (tstzrange(starts_at, ends_at, '[)'));

-- Round-robin: when each member last got a ticket automatically (ties on load go to the one
-- who waited longest).
create table assignment_state (
  team_id text not null references teams (id) on delete cascade,
  username text not null,
  last_assigned_at timestamptz not null,
  primary key (team_id, username)
);

-- One decision per ticket and tier, so a retried activity returns what it decided the first time
-- instead of picking again. No foreign key to tickets: the decision does not depend on the
-- read-model row having been written first.
create table assignment_decisions (
  ticket_id uuid not null,
  tier smallint not null check (tier in (1, 2)),
  team_id text,
  assignee_username text,
  assignee_id text,
  via text not null check (via in ('rule', 'on_call', 'none')),
  decided_at timestamptz not null default now(),
  primary key (ticket_id, tier)
);
create index assignment_decisions_assignee_idx on assignment_decisions (assignee_id) where assignee_id is not null;

-- Assignment events (assignment.rules_changed, .team_changed, .on_call_changed) are written to
-- policy_outbox (003): it is a plain event outbox keyed by event id, and flushPolicyOutbox already
-- publishes whatever is left in it at start-up and every 30 s, so these events need no second loop.

-- Demo data: the clinic's help desk and its tier-2 specialists, office hours in New York.
insert into teams (id, name, tier, time_zone, weekly_hours, lead_username, updated_by) values
  ('it-tier1', 'Help desk', 1, 'America/New_York',
   '{"mon":[{"start":"08:00","end":"18:00"}],"tue":[{"start":"08:00","end":"18:00"}],"wed":[{"start":"08:00","end":"18:00"}],"thu":[{"start":"08:00","end":"18:00"}],"fri":[{"start":"08:00","end":"18:00"}],"sat":[],"sun":[]}',
   'lee.lead', 'system:migration'),
  ('it-tier2', 'IT leads & specialists', 2, 'America/New_York',
   '{"mon":[{"start":"08:00","end":"18:00"}],"tue":[{"start":"08:00","end":"18:00"}],"wed":[{"start":"08:00","end":"18:00"}],"thu":[{"start":"08:00","end":"18:00"}],"fri":[{"start":"08:00","end":"18:00"}],"sat":[],"sun":[]}',
   'lee.lead', 'system:migration');

insert into team_members (team_id, username, display_name, skills, updated_by) values
  ('it-tier1', 'alex.agent', 'Alex Agent', '{ehr,network}', 'system:migration'),
  ('it-tier2', 'lee.lead', 'Lee Lead', '{ehr,network}', 'system:migration');

insert into assignment_rules (position, category, site_id, team_id, required_skills) values
  (0, 'ehr', null, 'it-tier1', '{ehr}'),
  (1, 'network', null, 'it-tier1', '{}'),
  (2, null, null, 'it-tier1', '{}');
