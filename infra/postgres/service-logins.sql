-- The database logins of Tierline's services, and the NOLOGIN roles that own their tables.
-- One source for every PostgreSQL Tierline runs on: infra/stack.mjs (the dev stack, psql),
-- docker-compose.yml (postgres-init.sh, psql) and the tests (packages/testing, serviceLogin()).
-- Idempotent: run it on every start; it (re)sets the passwords it is given.
--
-- psql variables: audit_password (the password of the login tierline_audit).
--
-- Roles are cluster-wide; concurrent runs (parallel test files) are serialised by the lock.
--
-- The audit log (docs/decisions/0021):
--   tierline_audit_owner   NOLOGIN. Owns schema "audit", its tables and trigger function; the
--                          migrations give it everything they create. Nobody can log in as it and
--                          no service login is a member of it, so no service can ALTER, DISABLE
--                          TRIGGER, or SET ROLE to it.
--   tierline_audit_writer  NOLOGIN. SELECT and INSERT on the audit tables (002_insert_only.sql).
--   tierline_audit         LOGIN of the audit service: NOSUPERUSER, NOCREATEDB, NOCREATEROLE,
--                          member of tierline_audit_writer only.
set tierline.audit_password = :'audit_password';

do $$
declare
  pw text := current_setting('tierline.audit_password');
begin
  perform pg_advisory_xact_lock(hashtext('tierline-service-logins'));
  if coalesce(pw, '') = '' then
    raise exception 'service-logins.sql: audit_password is empty';
  end if;
  if not exists (select 1 from pg_roles where rolname = 'tierline_audit_owner') then
    create role tierline_audit_owner nologin;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'tierline_audit_writer') then
    create role tierline_audit_writer nologin;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'tierline_audit') then
    create role tierline_audit login;
  end if;
  -- Whatever it was before, the login is exactly this now.
  execute format(
    'alter role tierline_audit login nosuperuser nocreatedb nocreaterole noreplication nobypassrls inherit password %L', pw);
  alter role tierline_audit_owner nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
  alter role tierline_audit_writer nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
  if exists (select 1 from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member
             where r.rolname = 'tierline_audit_owner' and u.rolname = 'tierline_audit') then
    revoke tierline_audit_owner from tierline_audit;
  end if;
  if not exists (select 1 from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member
                 where r.rolname = 'tierline_audit_writer' and u.rolname = 'tierline_audit') then
    grant tierline_audit_writer to tierline_audit;
  end if;
end
$$;

reset tierline.audit_password;
