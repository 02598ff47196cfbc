-- The audit tables belong to tierline_audit_owner, a NOLOGIN role that no service login is a
-- member of (infra/postgres/service-logins.sql, docs/decisions/0021). Before, they belonged to
-- whoever ran the migrations, in practice the superuser the services logged in as; that login
-- could `set role none` and disable the append-only triggers. Now only a database administrator
-- can, and what they change is caught by verify against the checkpoints kept outside the
-- database (the JetStream stream of anchored checkpoints).
--
-- Migrations run as an administrator (a superuser, or a member of tierline_audit_owner), never as
-- the service's login. Every later migration that creates an object here must give it to the
-- owner as well.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'tierline_audit_owner') then
    begin
      create role tierline_audit_owner nologin;
    exception when duplicate_object or unique_violation then
      null;
    end;
  end if;
  execute format('alter schema %I owner to tierline_audit_owner', current_schema());
  -- No one creates objects in the schema but the owner (the writer only uses it).
  execute format('revoke all on schema %I from public', current_schema());
  execute format('grant usage on schema %I to tierline_audit_writer', current_schema());
end
$$;
alter table audit_log owner to tierline_audit_owner;
alter table audit_checkpoints owner to tierline_audit_owner;
alter table schema_migrations owner to tierline_audit_owner;
alter function audit_refuse_change() owner to tierline_audit_owner;
-- The service checks at start-up that its schema is migrated (it no longer migrates it itself).
grant select on schema_migrations to tierline_audit_writer;
