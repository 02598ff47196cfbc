/**
 * Low finding: a malformed list cursor is a 400 naming the cursor, never a 500.
 *
 * The ticket queue (GET /api/v1/tickets) and the audit log (GET /api/v1/audit/events) page with
 * cursors. Both services run in this process on the real PostgreSQL (and NATS, Temporal for the
 * ticket service); an IT lead logs in through the real Keycloak.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger, createTokenVerifier } from '@tierline/platform';
import { testEnv } from '@tierline/testing';
import { demoToken, migratedDatabase, serveApp } from '@tierline/test-fixtures';
import { ticketAppTest } from '@tierline/ticket/test-fixtures';
import { AUDIT_MIGRATIONS_DIR, createAuditApp, createAuditSql, createSigner, generateSigningKey, keyRing } from '@tierline/audit';

const test = ticketAppTest({ label: 'seccursor', categories: ['network'] })
  // The audit service on a database of its own, migrated by the administrator, its pool in the writer role.
  .extend('auditDatabase', { scope: 'file' }, migratedDatabase({ label: 'seccursoraudit', schema: 'audit', migrations: AUDIT_MIGRATIONS_DIR, max: 2 }))
  .extend('auditApp', { scope: 'file' }, async ({ auditDatabase }, { onCleanup }) => {
    const env = testEnv();
    const auditSql = createAuditSql(auditDatabase.url, { role: 'tierline_audit_writer', max: 2 });
    const signer = createSigner(generateSigningKey());
    const app = createAuditApp({
      sql: auditSql,
      logger: createLogger('security-cursor', process.env.LOG_LEVEL ?? 'silent'),
      signer,
      publicKeys: keyRing([signer.publicKey]),
      verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-audit' }),
      exportRateLimitPerMinute: 100,
    });
    const cleanups: (() => void | Promise<void>)[] = [() => auditSql.end()];
    onCleanup(async () => {
      for (const c of cleanups) await c();
    });
    return serveApp(app, { onCleanup: (fn) => cleanups.unshift(fn) });
  });
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

test.beforeAll(async ({ database, app, auditApp }) => {
  const ticketSql = database.sql;
  ticketBase = app.baseUrl;
  auditBase = auditApp.baseUrl;
  token = await demoToken('lee.lead');
  // Three tickets, two with deadlines, so that both sort orders have a second page.
  for (const [n, deadline] of [[1, '2026-01-01T10:00:00Z'], [2, '2026-01-01T11:00:00Z'], [3, null]] as const) {
    const id = randomUUID();
    await ticketSql`
      insert into tickets (id, number, title, category, site_id, requester_id, impact, urgency, priority, status, tier, policy_version, workflow_id, next_deadline_at)
      values (${id}, ${`IT-${8800 + n}`}, 'Switch in room 2 is down', 'network', 'north', 'someone', 'department', 'medium', 'P3', 'new', 1, 1, ${`ticket-${id}`}, ${deadline})`;
  }
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
