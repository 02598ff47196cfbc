import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { jetstream } from '@nats-io/jetstream';
import { appendEvent, createAuditSql, migrateAudit } from '@tierline/audit';
import { countRefusal, IDENTITY_MIGRATIONS_DIR, loadVendorLinkKeys } from '@tierline/identity';
import { NOTIFICATION_MIGRATIONS_DIR } from '@tierline/notification';
import { connectNats, createSql, migrate, type Sql } from '@tierline/platform';
import { createTestDatabase, serviceLogin, testEnv } from '@tierline/testing';
import { ensureInitialPolicy, latestPublished, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import { createActivities } from '@tierline/workflows/activities';
import { DEFAULT_POLICY } from '@tierline/domain';

/**
 * Medium 4, first bullet: every service used to log in to PostgreSQL as the superuser `tierline`,
 * which also owned the audit tables. Now each runs as its own tierline_<service>
 * (infra/postgres/service-logins.sql, docs/decisions/0021): ticket, identity and notification own
 * their schema through their NOLOGIN owner role; the worker may only read and write the ticket
 * tables. One database holds every schema, as in the dev stack and compose.
 */
const LOGINS = ['ticket', 'identity', 'notification', 'worker'] as const;
type Login = (typeof LOGINS)[number];

/** A table of each schema, and the schema each login may change the tables of (none for the worker). */
const TABLE = { ticket: 'ticket.tickets', identity: 'identity.vendor_link_keys', notification: 'notification.deliveries' } as const;
const OWNS: Record<Login, keyof typeof TABLE | null> = { ticket: 'ticket', identity: 'identity', notification: 'notification', worker: null };

const refusal = (p: PromiseLike<unknown>) =>
  Promise.resolve(p).then(
    () => null,
    (e: unknown) => (e as Error).message,
  );

describe('the services’ own database logins', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let admin: postgres.Sql;
  const urls = {} as Record<Login, string>;
  /** The bare login with no search path: what a compromised process could do with its DATABASE_URL. */
  const bare = {} as Record<Login, postgres.Sql>;
  /** What each process runs with: its pool on its schema. */
  const pool = {} as Record<Login, Sql>;
  let nc: Awaited<ReturnType<typeof connectNats>>;

  beforeAll(async () => {
    db = await createTestDatabase('secsvclogins');
    await migrateAudit(db.url);
    for (const login of LOGINS) {
      urls[login] = await serviceLogin(login, db.url);
      bare[login] = postgres(urls[login], { max: 1, onnotice: () => undefined });
      pool[login] = createSql(urls[login], login === 'worker' ? 'ticket' : login, 2);
    }
    admin = postgres(db.url, { max: 1, onnotice: () => undefined });
    // Each service migrates its own schema at start-up, as its own login.
    await migrate(pool.ticket, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
    await migrate(pool.identity, { schema: 'identity', dir: fileURLToPath(IDENTITY_MIGRATIONS_DIR) });
    await migrate(pool.notification, { schema: 'notification', dir: fileURLToPath(NOTIFICATION_MIGRATIONS_DIR) });
    const audit = createAuditSql(await serviceLogin('audit', db.url), { role: 'tierline_audit_writer', max: 1 });
    await appendEvent(audit, {
      id: randomUUID(),
      type: 'ticket.created',
      occurredAt: new Date().toISOString(),
      actor: { kind: 'system', id: 'test' },
      ticketId: randomUUID(),
      data: {},
      schemaVersion: 1,
    });
    await audit.end();
    nc = await connectNats(testEnv().natsUrl, 'sec-service-logins');
  });
  afterAll(async () => {
    await nc?.drain();
    for (const login of LOGINS) {
      await bare[login]?.end();
      await pool[login]?.end();
    }
    await admin?.end();
    await db?.drop();
  });

  describe.each(LOGINS)('tierline_%s', (login) => {
    it('is its own login, not a superuser, and cannot create roles or databases', async () => {
      expect(new URL(urls[login]).username).toBe(`tierline_${login}`);
      const [me] = await bare[login]<{ user: string; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; rolbypassrls: boolean }[]>`
        select current_user as user, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls from pg_roles where rolname = current_user`;
      expect(me).toEqual({ user: `tierline_${login}`, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false });
    });

    it('is a member of its own owner role at most: never the administrator, the audit roles or another service’s owner', async () => {
      const roles = await admin<{ rolname: string }[]>`
        select r.rolname from pg_roles r where pg_has_role(${`tierline_${login}`}, r.oid, 'MEMBER') order by r.rolname`;
      expect(roles.map((r) => r.rolname)).toEqual(
        OWNS[login] ? [`tierline_${login}`, `tierline_${login}_owner`] : [`tierline_${login}`],
      );
    });

    it('cannot SET ROLE to the administrator, the audit roles or another service’s owner', async () => {
      const others = ['tierline', 'tierline_audit_owner', 'tierline_audit_writer', 'tierline_audit',
        ...(['ticket', 'identity', 'notification'] as const).filter((s) => s !== login).map((s) => `tierline_${s}_owner`)];
      for (const role of others) {
        expect(await refusal(bare[login].unsafe(`set role "${role}"`)), role).toMatch(/permission denied to set role/);
      }
    });

    it('can neither read, write, change nor alter the audit tables', async () => {
      const [rights] = await bare[login]<{ usage: boolean; create: boolean }[]>`
        select has_schema_privilege('audit', 'USAGE') as usage, has_schema_privilege('audit', 'CREATE') as create`;
      expect(rights).toEqual({ usage: false, create: false });
      const denied = /permission denied|must be owner/;
      expect(await refusal(bare[login]`select count(*) from audit.audit_log`)).toMatch(denied);
      expect(await refusal(bare[login]`select count(*) from audit.audit_checkpoints`)).toMatch(denied);
      expect(
        await refusal(bare[login]`
          insert into audit.audit_log (seq, event_id, event_type, actor_kind, actor_id, occurred_at, content, prev_hash, hash)
          values (99, gen_random_uuid(), 'x', 'system', 'x', now(), '{}', repeat('0', 64), repeat('1', 64))`),
      ).toMatch(denied);
      expect(await refusal(bare[login]`update audit.audit_log set event_type = 'rewritten'`)).toMatch(denied);
      expect(await refusal(bare[login]`delete from audit.audit_log`)).toMatch(denied);
      expect(await refusal(bare[login]`alter table audit.audit_log disable trigger all`)).toMatch(denied);
      expect(await refusal(bare[login]`create table audit.shadow (x int)`)).toMatch(denied);
      const [kept] = await admin<{ n: number }[]>`select count(*)::int as n from audit.audit_log where event_type = 'ticket.created'`;
      expect(kept?.n).toBe(1);
    });

    it('cannot alter, read or write another service’s tables', async () => {
      const denied = /permission denied|must be owner/;
      for (const [schema, table] of Object.entries(TABLE)) {
        if (schema === OWNS[login]) continue;
        expect(await refusal(bare[login].unsafe(`alter table ${table} add column smuggled int`)), table).toMatch(denied);
        expect(await refusal(bare[login].unsafe(`create table ${schema}.smuggled (x int)`)), table).toMatch(denied);
        // The worker shares the ticket tables' rows (not their definition); nobody else reaches them.
        if (login === 'worker' && schema === 'ticket') continue;
        expect(await refusal(bare[login].unsafe(`select count(*) from ${table}`)), table).toMatch(denied);
        expect(await refusal(bare[login].unsafe(`delete from ${table}`)), table).toMatch(denied);
      }
    });
  });

  it('the ticket login migrates and uses its own schema; what it creates belongs to its owner role', async () => {
    await ensureInitialPolicy(pool.ticket, DEFAULT_POLICY, 'system:test');
    expect((await latestPublished(pool.ticket))?.version).toBe(1);
    const owners = await admin<{ owner: string }[]>`
      select distinct pg_get_userbyid(c.relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'ticket'`;
    expect(owners.map((o) => o.owner)).toEqual(['tierline_ticket_owner']);
  });

  it('the worker writes the ticket read model but cannot change the tables’ definition', async () => {
    const id = randomUUID();
    await pool.ticket`
      insert into tickets (id, number, title, category, site_id, requester_id, impact, urgency, priority, status, workflow_id)
      values (${id}, 'T-' || nextval('ticket_number_seq'), 'Printer down', 'hardware', 'site-1', 'u-1', 'one_user', 'low', 'P4', 'open', ${`wf-${id}`})`;
    const activities = createActivities({ sql: pool.worker, js: jetstream(nc) });
    const acknowledgedAt = new Date().toISOString();
    await activities.recordTicketEvent({
      ticketId: id,
      patch: { status: 'acknowledged', acknowledgedAt, tier: 2 },
      comment: { id: randomUUID(), authorId: 'u-2', authorRole: 'agent', visibility: 'internal', body: 'on it', createdAt: acknowledgedAt },
    });
    const [row] = await admin<{ status: string; tier: number; comments: number }[]>`
      select status, tier, (select count(*)::int from ticket.ticket_comments where ticket_id = t.id) as comments
      from ticket.tickets t where id = ${id}`;
    expect(row).toEqual({ status: 'acknowledged', tier: 2, comments: 1 });
    const denied = /must be owner/;
    expect(await refusal(pool.worker`alter table tickets add column smuggled int`)).toMatch(denied);
    expect(await refusal(pool.worker`alter table policy_versions disable trigger all`)).toMatch(denied);
    expect(await refusal(pool.worker`drop table ticket_comments`)).toMatch(denied);
    expect(await refusal(pool.worker`create table ticket.smuggled (x int)`)).toMatch(/permission denied/);
    expect(await refusal(pool.worker`truncate tickets`)).toMatch(/permission denied/);
  });

  it('the identity login keeps its signing keys and counts refused links in its own schema', async () => {
    const keys = await loadVendorLinkKeys({ sql: pool.identity });
    expect((await loadVendorLinkKeys({ sql: pool.identity })).kid).toBe(keys.kid);
    const refused = { reason: 'tampered', action: 'open', linkId: null, ticketId: null } as const;
    await countRefusal(pool.identity, refused, 60_000);
    await countRefusal(pool.identity, refused, 60_000);
    const [counted] = await admin<{ n: number }[]>`select coalesce(sum(count), 0)::int as n from identity.vendor_link_refusal_counts`;
    expect(counted?.n).toBe(2);
  });

  it('hands a schema an earlier version migrated as the administrator over to the owner role, with everything in it', async () => {
    const legacy = await createTestDatabase('secsvcloginslegacy');
    const old = createSql(legacy.url, 'ticket', 1);
    let worker: Sql | undefined;
    try {
      await migrate(old, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
      const ticketUrl = await serviceLogin('ticket', legacy.url);
      const owners = await old<{ owner: string }[]>`
        select distinct pg_get_userbyid(c.relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'ticket'
        union select distinct pg_get_userbyid(p.proowner) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'ticket'
        union select pg_get_userbyid(nspowner) from pg_namespace where nspname = 'ticket'`;
      expect(owners.map((o) => o.owner)).toEqual(['tierline_ticket_owner']);
      const ticket = createSql(ticketUrl, 'ticket', 1);
      try {
        // Nothing left to apply, and the login may run the check at start-up.
        expect(await migrate(ticket, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) })).toEqual([]);
        await ensureInitialPolicy(ticket, DEFAULT_POLICY, 'system:test');
      } finally {
        await ticket.end();
      }
      worker = createSql(await serviceLogin('worker', legacy.url), 'ticket', 1);
      expect(await worker`select count(*)::int as n from policy_versions`).toEqual([{ n: 1 }]);
      expect(await refusal(worker`alter table tickets add column smuggled int`)).toMatch(/must be owner/);
    } finally {
      await worker?.end();
      await old.end();
      await legacy.drop();
    }
  });

  it('the notification login records deliveries in its own schema', async () => {
    const id = randomUUID();
    await pool.notification`
      insert into deliveries (id, idempotency_key, recipient_id, channel, status) values (${id}, 'k-1', 'u-1', 'email', 'queued')`;
    await pool.notification`update deliveries set status = 'sent', attempts = attempts + 1 where id = ${id}`;
    const [row] = await admin<{ status: string }[]>`select status from notification.deliveries where id = ${id}`;
    expect(row?.status).toBe('sent');
  });
});
