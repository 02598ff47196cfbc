-- The database logins of Tierline's services, and the NOLOGIN roles that own their tables.
-- One source for every PostgreSQL Tierline runs on: infra/stack.mjs (the dev stack, psql),
-- docker-compose.yml (postgres-init.sh, psql) and the tests (packages/testing, serviceLogin()).
-- Idempotent: run it on every start; it (re)sets the passwords it is given. Roles are
-- cluster-wide; the schemas, their owners and the worker's grants are made in the database it
-- runs in (the services' database, `tierline`; each test database in the tests).
--
-- psql variables: audit_password, ticket_password, identity_password, notification_password,
-- worker_password (the passwords of the logins tierline_<service>).
--
-- Concurrent runs (parallel test files, each in its own database) are serialised by a lock on
-- pg_authid, which is cluster-wide where an advisory lock is per database.
--
-- The audit log (docs/decisions/0021):
--   tierline_audit_owner   NOLOGIN. Owns schema "audit", its tables and trigger function; the
--                          migrations give it everything they create. Nobody can log in as it and
--                          no service login is a member of it, so no service can ALTER, DISABLE
--                          TRIGGER, or SET ROLE to it.
--   tierline_audit_writer  NOLOGIN. SELECT and INSERT on the audit tables (002_insert_only.sql).
--   tierline_audit         LOGIN of the audit service: NOSUPERUSER, NOCREATEDB, NOCREATEROLE,
--                          member of tierline_audit_writer only.
--
-- The other services (docs/decisions/0021, "The other services"):
--   tierline_<s>_owner     NOLOGIN, for s in ticket, identity, notification. Owns schema <s> and
--                          everything in it: the service's migrations run as it (platform's
--                          migrate() sets the role to the schema's owner).
--   tierline_<s>           LOGIN of the service, member of tierline_<s>_owner only: it migrates
--                          and uses its own schema, and has no right on any other.
--   tierline_worker        LOGIN of the Temporal worker, member of nothing: USAGE on schema
--                          "ticket" and SELECT/INSERT/UPDATE/DELETE on its tables and sequences
--                          (the read model its activities write), now and for tables the ticket
--                          migrations add later (default privileges). No DDL.
set tierline.audit_password = :'audit_password';
set tierline.ticket_password = :'ticket_password';
set tierline.identity_password = :'identity_password';
set tierline.notification_password = :'notification_password';
set tierline.worker_password = :'worker_password';

do $$
declare
  -- login -> the one role it may be a member of ('' for none)
  logins constant text[][] := array[
    ['audit', 'tierline_audit_writer'],
    ['ticket', 'tierline_ticket_owner'],
    ['identity', 'tierline_identity_owner'],
    ['notification', 'tierline_notification_owner'],
    ['worker', '']];
  owned constant text[] := array['ticket', 'identity', 'notification'];
  svc text;
  login text;
  member_of text;
  owner text;
  pw text;
  r record;
begin
  lock table pg_catalog.pg_authid in share row exclusive mode;

  for i in 1 .. array_length(logins, 1) loop
    svc := logins[i][1];
    member_of := logins[i][2];
    login := 'tierline_' || svc;
    pw := current_setting('tierline.' || svc || '_password');
    if coalesce(pw, '') = '' then
      raise exception 'service-logins.sql: %_password is empty', svc;
    end if;
    if member_of <> '' and not exists (select 1 from pg_roles where rolname = member_of) then
      execute format('create role %I nologin', member_of);
    end if;
    if member_of <> '' then
      execute format('alter role %I nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls', member_of);
    end if;
    if not exists (select 1 from pg_roles where rolname = login) then
      execute format('create role %I login', login);
    end if;
    -- Whatever it was before, the login is exactly this now.
    execute format(
      'alter role %I login nosuperuser nocreatedb nocreaterole noreplication nobypassrls inherit password %L', login, pw);
    -- Member of its one role and of nothing else (an earlier grant by hand is taken back).
    for r in select g.rolname from pg_auth_members m join pg_roles g on g.oid = m.roleid join pg_roles u on u.oid = m.member
             where u.rolname = login and g.rolname <> member_of loop
      execute format('revoke %I from %I', r.rolname, login);
    end loop;
    if member_of <> '' and not exists (
        select 1 from pg_auth_members m join pg_roles g on g.oid = m.roleid join pg_roles u on u.oid = m.member
        where g.rolname = member_of and u.rolname = login) then
      execute format('grant %I to %I', member_of, login);
    end if;
  end loop;
  if not exists (select 1 from pg_roles where rolname = 'tierline_audit_owner') then
    create role tierline_audit_owner nologin;
  end if;
  alter role tierline_audit_owner nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls;

  -- Each service's schema belongs to its owner role. A schema an earlier version created as the
  -- administrator is handed over with everything in it.
  foreach svc in array owned loop
    owner := 'tierline_' || svc || '_owner';
    if not exists (select 1 from pg_namespace where nspname = svc) then
      execute format('create schema %I authorization %I', svc, owner);
    elsif (select nspowner::regrole::text from pg_namespace where nspname = svc) <> owner then
      execute format('alter schema %I owner to %I', svc, owner);
    end if;
    -- Tables (their indexes and owned sequences follow), views, and free-standing sequences.
    for r in select c.oid::regclass as rel, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = svc and c.relowner <> owner::regrole and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
               and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid
                               and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')) loop
      execute format('alter %s %s owner to %I',
        case r.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view'
                       when 'f' then 'foreign table' else 'table' end, r.rel, owner);
    end loop;
    for r in select p.oid::regprocedure as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where n.nspname = svc and p.proowner <> owner::regrole loop
      execute format('alter routine %s owner to %I', r.fn, owner);
    end loop;
  end loop;

  -- The worker writes the ticket read model: DML on the ticket tables, no DDL.
  grant usage on schema ticket to tierline_worker;
  grant select, insert, update, delete on all tables in schema ticket to tierline_worker;
  grant usage, select, update on all sequences in schema ticket to tierline_worker;
  alter default privileges for role tierline_ticket_owner in schema ticket
    grant select, insert, update, delete on tables to tierline_worker;
  alter default privileges for role tierline_ticket_owner in schema ticket
    grant usage, select, update on sequences to tierline_worker;
end
$$;

reset tierline.audit_password;
reset tierline.ticket_password;
reset tierline.identity_password;
reset tierline.notification_password;
reset tierline.worker_password;
