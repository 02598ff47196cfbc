import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { appendEvent, assertMigrated, createAuditSql, migrateAudit } from '@tierline/audit';
import { createTestDatabase, serviceLogin } from '@tierline/testing';

/**
 * Medium 4: the audit service used to log in as the PostgreSQL superuser that owned the audit
 * tables; `SET ROLE NONE` and `ALTER TABLE ... DISABLE TRIGGER` rewrote history. Now it logs in as
 * tierline_audit, which owns nothing, and the tables belong to the NOLOGIN tierline_audit_owner
 * (infra/postgres/service-logins.sql, services/audit/migrations/003_owner_role.sql).
 */
describe('the audit service database login', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let admin: postgres.Sql;
  let serviceUrl: string;
  /** Exactly what the service runs with: its own login, switched to the writer role. */
  let service: postgres.Sql;
  /** The bare login, no SET ROLE at all: what a compromised process could do with DATABASE_URL. */
  let bare: postgres.Sql;

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => (e as Error).message,
    );

  beforeAll(async () => {
    db = await createTestDatabase('secauditroles');
    await migrateAudit(db.url);
    serviceUrl = await serviceLogin('audit', db.url);
    admin = postgres(db.url, { max: 1, onnotice: () => undefined });
    service = createAuditSql(serviceUrl, { role: 'tierline_audit_writer', max: 1 });
    bare = postgres(serviceUrl, { max: 1, onnotice: () => undefined });
    for (let n = 1; n <= 3; n++) {
      await appendEvent(service, {
        id: randomUUID(),
        type: 'ticket.created',
        occurredAt: new Date().toISOString(),
        actor: { kind: 'system', id: 'test' },
        ticketId: randomUUID(),
        data: { n },
        schemaVersion: 1,
      });
    }
  });
  afterAll(async () => {
    await service?.end();
    await bare?.end();
    await admin?.end();
    await db?.drop();
  });

  it('is its own login, not a superuser, and cannot create roles or databases', async () => {
    expect(new URL(serviceUrl).username).toBe('tierline_audit');
    const [me] = await bare<{ user: string; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; rolbypassrls: boolean }[]>`
      select current_user as user, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls from pg_roles where rolname = current_user`;
    expect(me).toEqual({ user: 'tierline_audit', rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false });
  });

  it('leaves the audit tables, the schema and the trigger function to tierline_audit_owner, a role nobody logs in as', async () => {
    const owners = await admin<{ what: string; owner: string }[]>`
      select 'table ' || tablename as what, tableowner as owner from pg_tables where schemaname = 'audit'
      union all select 'schema audit', pg_get_userbyid(nspowner) from pg_namespace where nspname = 'audit'
      union all select 'function ' || proname, pg_get_userbyid(proowner) from pg_proc where proname = 'audit_refuse_change'
      order by 1`;
    expect(owners.length).toBeGreaterThanOrEqual(5);
    for (const o of owners) expect(o.owner, o.what).toBe('tierline_audit_owner');
    const [owner] = await admin<{ rolcanlogin: boolean }[]>`select rolcanlogin from pg_roles where rolname = 'tierline_audit_owner'`;
    expect(owner).toEqual({ rolcanlogin: false });
    // Not a member of the owner, directly or through another role.
    const [member] = await admin<{ m: boolean }[]>`select pg_has_role('tierline_audit', 'tierline_audit_owner', 'MEMBER') as m`;
    expect(member).toEqual({ m: false });
  });

  it('cannot SET ROLE to the owner or to the administrator', async () => {
    for (const role of ['tierline_audit_owner', 'tierline']) {
      expect(await refusal(bare.unsafe(`set role ${role}`))).toMatch(/permission denied to set role/);
    }
  });

  it('after SET ROLE NONE (or never switching) still cannot ALTER the tables or switch the triggers off', async () => {
    await bare`set role none`;
    for (const stmt of [
      'alter table audit.audit_log disable trigger audit_log_append_only',
      'alter table audit.audit_checkpoints disable trigger all',
      'alter table audit.audit_log owner to tierline_audit',
      'alter table audit.audit_log add column note text',
      'drop trigger audit_log_append_only on audit.audit_log',
    ]) {
      expect(await refusal(bare.unsafe(stmt)), stmt).toMatch(/must be owner of (table|relation) audit_(log|checkpoints)/);
    }
    expect(await refusal(bare.unsafe('create table audit.shadow (x int)'))).toMatch(/permission denied for schema audit/);
    expect(await refusal(bare.unsafe('create or replace function audit.audit_refuse_change() returns trigger language plpgsql as $$ begin return null; end $$'))).toMatch(
      /must be owner of function audit_refuse_change|permission denied for schema audit/,
    );
  });

  it('cannot UPDATE, DELETE or TRUNCATE audit rows, with or without the writer role', async () => {
    for (const conn of [bare, service]) {
      for (const stmt of [
        `update audit.audit_log set content = '{}' where seq = 2`,
        'delete from audit.audit_log where seq = 3',
        'truncate audit.audit_log',
        'delete from audit.audit_checkpoints',
      ]) {
        expect(await refusal(conn.unsafe(stmt)), stmt).toMatch(/permission denied for table audit_(log|checkpoints)/);
      }
    }
    const [row] = await admin<{ n: number; untouched: boolean }[]>`
      select count(*)::int as n, bool_and(content <> '{}') as untouched from audit.audit_log`;
    expect(row).toEqual({ n: 3, untouched: true });
  });

  it('cannot grant itself more, nor migrate; it only checks that the administrator did', async () => {
    // PostgreSQL answers a grant by a non-owner with a warning and grants nothing.
    await bare.unsafe('grant update, delete, truncate on audit.audit_log to tierline_audit').catch(() => undefined);
    const [privs] = await admin<{ u: boolean; d: boolean; t: boolean }[]>`
      select has_table_privilege('tierline_audit', 'audit.audit_log', 'UPDATE') as u,
             has_table_privilege('tierline_audit', 'audit.audit_log', 'DELETE') as d,
             has_table_privilege('tierline_audit', 'audit.audit_log', 'TRUNCATE') as t`;
    expect(privs).toEqual({ u: false, d: false, t: false });
    expect(await refusal(bare.unsafe('grant tierline_audit_owner to tierline_audit'))).toMatch(/must have admin option on role|permission denied to grant role/);
    expect(await refusal(migrateAudit(serviceUrl))).toMatch(/permission denied|must be owner/);
    await expect(assertMigrated(service)).resolves.toBeUndefined();
  });

  it('the service refuses to start on a schema nobody migrated', async () => {
    const empty = await createTestDatabase('secauditempty');
    const sql = createAuditSql(await serviceLogin('audit', empty.url), { max: 1 });
    try {
      expect(await refusal(assertMigrated(sql))).toMatch(/audit schema is at migration 0, this build needs \d+: run "tierline-audit migrate/);
    } finally {
      await sql.end();
      await empty.drop();
    }
  });
});
