-- Insert-only at the database level, and signed checkpoints of the chain head.
--
-- Two independent guards:
--  1. Privileges: the service writes through the NOLOGIN role tierline_audit_writer, which may
--     only SELECT and INSERT here. Deployments give the service a login that is a member of it
--     (`grant tierline_audit_writer to <service login>`); the service then `set role`s to it on
--     every connection (AUDIT_DB_ROLE), so even a login with more rights writes as the writer.
--  2. A trigger refusing UPDATE, DELETE and TRUNCATE on both tables for everybody, owners and
--     superusers included. Only someone able to disable triggers (a database administrator) can
--     get past it, and that is what the hash chain and the signed checkpoints are for: verify
--     detects what such a person changed.

-- Roles are cluster-wide while this migration runs per database; test databases migrate in
-- parallel, so a concurrent creation elsewhere is not an error.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'tierline_audit_writer') then
    begin
      create role tierline_audit_writer nologin;
    exception when duplicate_object or unique_violation then
      null;
    end;
  end if;
end
$$;

-- A signature by the service's Ed25519 key over the chain head at one moment. Whoever holds a
-- copy (an export, an auditor's notes) can later prove rows up to `seq` were not rewritten and
-- that the tail was not cut off.
create table audit_checkpoints (
  id bigint generated always as identity primary key,
  seq bigint not null,
  hash char(64) not null,
  -- Part of the signed message, as ISO-8601 with milliseconds.
  signed_at timestamptz not null,
  -- First 16 hex digits of SHA-256 over the public key (SPKI DER): which key signed.
  key_id text not null,
  -- Base64 Ed25519 signature over "tierline-audit-checkpoint/v1\n<seq>\n<hash>\n<signedAt>".
  signature text not null,
  recorded_at timestamptz not null default now()
);
create index audit_checkpoints_seq_idx on audit_checkpoints (seq desc, id desc);

create function audit_refuse_change() returns trigger
language plpgsql as $$
begin
  raise exception 'audit table %.% is append-only: % refused', tg_table_schema, tg_table_name, tg_op
    using hint = 'Audit records are never changed or removed; record a correcting event instead.';
end
$$;

-- Statement-level, so it fires even when no row matches, and TRUNCATE is covered too.
create trigger audit_log_append_only
  before update or delete or truncate on audit_log
  for each statement execute function audit_refuse_change();
create trigger audit_checkpoints_append_only
  before update or delete or truncate on audit_checkpoints
  for each statement execute function audit_refuse_change();

-- The writer: read and append, nothing else. migrate() runs with search_path set to the
-- service's schema, so current_schema() names it without hard-coding "audit".
do $$
begin
  execute format('grant usage on schema %I to tierline_audit_writer', current_schema());
  execute format('grant usage on all sequences in schema %I to tierline_audit_writer', current_schema());
end
$$;
revoke all on audit_log, audit_checkpoints from public;
grant select, insert on audit_log, audit_checkpoints to tierline_audit_writer;
