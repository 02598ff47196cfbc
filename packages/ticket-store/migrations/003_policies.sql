-- Escalation policies: one editable draft, numbered immutable published versions.
--
-- Design: ONE clinic-wide policy line. "Every new ticket runs on the newest published version"
-- only has a meaning if there is a single line of versions, so a version is identified by its
-- number alone (1, 2, 3, …) and tickets.policy_version refers to it. `policies` still exists, with
-- one row ('clinic'), so a second line (e.g. per site) can be added later by widening the keys
-- instead of reshaping the data.
create table policies (
  id text primary key check (id = 'clinic'),
  name text not null,
  created_at timestamptz not null default now()
);
insert into policies (id, name) values ('clinic', 'Clinic escalation policy');

-- The one working copy IT leads edit. lock_version is bumped by every save; a save names the
-- lock_version it read (If-Match), so two leads editing at once cannot silently overwrite each
-- other. A stored draft has passed the structural (zod) checks but may still fail the semantic
-- ones; it is only checked in full when published.
create table policy_drafts (
  policy_id text primary key references policies (id),
  document jsonb not null,
  lock_version integer not null check (lock_version > 0),
  -- The published version the draft was started from (null: started from nothing).
  based_on_version integer,
  updated_by text not null,
  updated_at timestamptz not null default now()
);

-- Published versions. Immutable: a ticket runs on the version it was opened under and the audit
-- trail refers to versions by number, so a version that changed after the fact would make both
-- lie. The trigger below refuses UPDATE, DELETE and TRUNCATE for every client, the API included.
create table policy_versions (
  version integer primary key check (version > 0),
  policy_id text not null default 'clinic' references policies (id),
  document jsonb not null,
  published_by text not null,
  published_at timestamptz not null default now(),
  notes text not null default ''
);

create function policy_versions_immutable() returns trigger language plpgsql as $$
begin
  if tg_op = 'TRUNCATE' then
    raise exception 'published policy versions are immutable and cannot be truncated'
      using errcode = 'restrict_violation';
  end if;
  raise exception 'version % is published and cannot change', old.version
    using errcode = 'restrict_violation';
end
$$;

create trigger policy_versions_no_update_delete
  before update or delete on policy_versions
  for each row execute function policy_versions_immutable();
create trigger policy_versions_no_truncate
  before truncate on policy_versions
  for each statement execute function policy_versions_immutable();

-- One row per "migrate open tickets to version N" request. The reason is free text and so stays
-- here rather than in the event stream (events carry ids and numbers only); the
-- policy.migration_requested event names this row's id, so an auditor can join the two.
create table policy_migrations (
  id uuid primary key,
  to_version integer not null references policy_versions (version),
  requested_by text not null,
  requested_at timestamptz not null default now(),
  reason text not null,
  selection jsonb not null,
  results jsonb
);

-- Transactional outbox of policy events: written in the same transaction as the change, so a
-- change is never committed without its audit event. The API publishes right after commit;
-- flushPolicyOutbox (policies-repo.ts) publishes whatever is left (NATS down, no JetStream
-- wired in yet). JetStream dedupes on the event id, so publishing twice is harmless.
create table policy_outbox (
  event_id uuid primary key,
  event jsonb not null,
  created_at timestamptz not null default now(),
  published_at timestamptz
);
create index policy_outbox_unpublished_idx on policy_outbox (created_at) where published_at is null;
