/**
 * Low finding: a malformed list cursor is a 400 naming the cursor, never a 500.
 *
 * The ticket queue (GET /api/v1/tickets) and the audit log (GET /api/v1/audit/events) page with
 * cursors. Both services run in this process on the real PostgreSQL (and NATS, Temporal for the
 * ticket service); an IT lead logs in through the real Keycloak.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { jetstream } from '@nats-io/jetstream';
import { connectNats, createLogger, createSql, createTokenVerifier, ensureStreams, listen, migrate, type NatsConnection, type Sql } from '@tierline/platform';
import { createTestDatabase, DEMO_PASSWORD, loginAs, testEnv } from '@tierline/testing';
import { createTicketApp, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import { AUDIT_MIGRATIONS_DIR, createAuditApp, createAuditSql, createSigner, generateSigningKey, keyRing } from '@tierline/audit';

const env = testEnv();
const logger = createLogger('security-cursor', process.env.LOG_LEVEL ?? 'silent');
const cleanups: (() => Promise<unknown>)[] = [];
let ticketSql: Sql;
let nc: NatsConnection;
let ticketBase = '';
let auditBase = '';
let token = '';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

async function get(url: string) {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as { items?: { id: string }[]; nextCursor?: string | null; error?: { code: string; message: string; details?: { path: string }[] } } };
}

function expectCursor400(r: Awaited<ReturnType<typeof get>>, what: string) {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(400);
  expect(r.body.error?.code).toBe('BAD_REQUEST');
  expect(r.body.error?.details?.map((d) => d.path), what).toContain('cursor');
}

beforeAll(async () => {
  const db = await createTestDatabase('seccursor');
  ticketSql = createSql(db.url, 'ticket', 4);
  cleanups.push(async () => {
    await ticketSql.end();
    await db.drop();
  });
  await migrate(ticketSql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
  nc = await connectNats(env.natsUrl, 'security-cursor');
  cleanups.push(() => nc.drain());
  await ensureStreams(nc);
  const connection = await Connection.connect({ address: env.temporalAddress });
  cleanups.push(() => connection.close());
  const ticketServer = await listen(
    createTicketApp({
      sql: ticketSql,
      nc,
      js: jetstream(nc),
      temporal: new Client({ connection, namespace: env.temporalNamespace }),
      taskQueue: `security-cursor-${randomUUID().slice(0, 8)}`,
      verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-ticket' }),
      logger,
      categories: ['network'],
    }),
    0,
  );
  cleanups.push(() => ticketServer.close());
  ticketBase = `http://127.0.0.1:${ticketServer.port}`;

  const auditDb = await createTestDatabase('seccursoraudit');
  const owner = createSql(auditDb.url, 'audit', 2);
  await migrate(owner, { schema: 'audit', dir: fileURLToPath(AUDIT_MIGRATIONS_DIR) });
  const auditSql = createAuditSql(auditDb.url, { role: 'tierline_audit_writer', max: 2 });
  cleanups.push(async () => {
    await auditSql.end();
    await owner.end();
    await auditDb.drop();
  });
  const signer = createSigner(generateSigningKey());
  const auditServer = await listen(
    createAuditApp({ sql: auditSql, logger, signer, publicKeys: keyRing([signer.publicKey]), verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-audit' }), exportRateLimitPerMinute: 100 }),
    0,
  );
  cleanups.push(() => auditServer.close());
  auditBase = `http://127.0.0.1:${auditServer.port}`;

  token = (await loginAs('lee.lead', DEMO_PASSWORD)).access_token;
  // Three tickets, two with deadlines, so that both sort orders have a second page.
  for (const [n, deadline] of [[1, '2026-01-01T10:00:00Z'], [2, '2026-01-01T11:00:00Z'], [3, null]] as const) {
    const id = randomUUID();
    await ticketSql`
      insert into tickets (id, number, title, category, site_id, requester_id, impact, urgency, priority, status, tier, policy_version, workflow_id, next_deadline_at)
      values (${id}, ${`IT-${8800 + n}`}, 'Switch in room 2 is down', 'network', 'north', 'someone', 'department', 'medium', 'P3', 'new', 1, 1, ${`ticket-${id}`}, ${deadline})`;
  }
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe('the ticket queue', () => {
  it('pages through with the cursors it hands out, in both sort orders', async () => {
    for (const sort of ['next_deadline', 'newest']) {
      const seen: string[] = [];
      let cursor: string | null | undefined = null;
      do {
        const r = await get(`${ticketBase}/api/v1/tickets?sort=${sort}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        seen.push(...r.body.items!.map((t) => t.id));
        cursor = r.body.nextCursor;
      } while (cursor);
      expect(new Set(seen).size, sort).toBe(3);
    }
  });

  it.each([
    ['not base64url JSON', 'not a cursor!'],
    ['JSON of another shape', b64('null')],
    ['a sort key that is not a time', b64({ k: 'yesterday', id: randomUUID() })],
    ['an id that is not a uuid', b64({ k: null, id: 'not-a-uuid' })],
    ['an id that is not a string', b64({ k: null, id: 42 })],
  ])('refuses %s with 400 naming the cursor', async (what, cursor) => {
    expectCursor400(await get(`${ticketBase}/api/v1/tickets?cursor=${encodeURIComponent(cursor)}`), what);
  });

  it('refuses a deadline cursor of a ticket without deadline on the newest-first order', async () => {
    expectCursor400(await get(`${ticketBase}/api/v1/tickets?sort=newest&cursor=${b64({ k: null, id: randomUUID() })}`), 'cursor of the other order');
  });
});

describe('the audit log', () => {
  it.each([
    ['letters', 'abc'],
    ['a negative number', '-1'],
    ['a number too large for a sequence', '9'.repeat(30)],
  ])('refuses %s as a cursor with 400 naming it', async (what, cursor) => {
    expectCursor400(await get(`${auditBase}/api/v1/audit/events?cursor=${encodeURIComponent(cursor)}`), what);
  });
});
