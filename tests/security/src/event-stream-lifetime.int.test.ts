/**
 * Finding 3: the live event stream obeys the same rules as the REST API, for its whole life.
 *
 * The ticket service runs in this process as main.ts wires it — the real PostgreSQL, NATS
 * JetStream (events, the disabled-accounts bucket) and Temporal — with one difference: its token
 * verifier trusts a signing key made here besides, so that a token can expire within the test
 * (the realm's tokens live five minutes). The verifier, the revocation watch and the stream are
 * the product's own. Each user is a fresh subject id, so disabling it touches nobody else's tests.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { EVENT_SCHEMA_VERSION } from '@tierline/contracts';
import {
  connectNats,
  createLogger,
  createRevocationWatcher,
  createSql,
  createTokenVerifier,
  ensureStreams,
  listen,
  migrate,
  publishEvent,
  revokeUser,
  unrevokeUser,
  type NatsConnection,
  type RevocationWatcher,
  type Sql,
} from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { createTicketApp, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import { fileURLToPath } from 'node:url';

const env = testEnv();
const ISSUER = 'http://event-stream-lifetime.test/realms/tierline';
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: Sql;
let nc: NatsConnection;
let js: JetStreamClient;
let watcher: RevocationWatcher;
let connection: Connection;
let server: Awaited<ReturnType<typeof listen>>;
let base = '';
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const revokedHere: string[] = [];

/** An IT agent's access token as Keycloak shapes it, signed with this test's key, valid for `seconds`. */
async function agentToken(sub: string, seconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ typ: 'Bearer', preferred_username: `agent-${sub.slice(0, 8)}`, realm_access: { roles: ['it_agent'] }, groups: [] })
    .setProtectedHeader({ alg: 'RS256', kid: 'stream-test' })
    .setIssuer(ISSUER)
    .setAudience('tierline-ticket')
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + seconds)
    .sign(privateKey);
}

let number = 9100;
async function insertTicket(): Promise<string> {
  const id = randomUUID();
  await sql`
    insert into tickets (id, number, title, category, site_id, requester_id, impact, urgency, priority, status, tier, vendor_org_id, policy_version, workflow_id)
    values (${id}, ${`IT-${number++}`}, 'EHR shows another patient''s chart', 'ehr', 'north', 'someone', 'department', 'high', 'P2', 'new', 1, null, 1, ${`ticket-${id}`})`;
  return id;
}

async function publish(ticketId: string): Promise<string> {
  const id = randomUUID();
  await publishEvent(js, { id, type: 'ticket.acknowledged', occurredAt: new Date().toISOString(), actor: { kind: 'system', id: 'security-stream' }, ticketId, data: {}, schemaVersion: EVENT_SCHEMA_VERSION });
  return id;
}

/** Opens the stream with `authorization` as given; records every named event and when the body ended. */
async function open(authorization: string) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/v1/events/stream`, { headers: { authorization, accept: 'text/event-stream' }, signal: controller.signal });
  expect(res.status, res.ok ? '' : await res.text()).toBe(200);
  const frames: { event: string; data: string; at: number }[] = [];
  let endedAt: number | null = null;
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  void (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          if (!event) continue;
          const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          frames.push({ event, data, at: Date.now() });
          if (event === 'ready') ready();
        }
      }
      endedAt = Date.now();
    } catch {
      // aborted by close()
    }
  })();
  await isReady;
  return {
    frames,
    ticketIds: () => frames.filter((f) => f.event === 'ticket').map((f) => (JSON.parse(f.data) as { event: { id: string } }).event.id),
    endedAt: () => endedAt,
    close: () => controller.abort(),
  };
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const keySet = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'stream-test', alg: 'RS256', use: 'sig' }] });
  db = await createTestDatabase('secstream');
  sql = createSql(db.url, 'ticket', 5);
  await migrate(sql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
  nc = await connectNats(env.natsUrl, 'security-event-stream');
  await ensureStreams(nc);
  js = jetstream(nc);
  // As in main.ts: one watch on the service's connection, loaded before anything is served.
  watcher = await createRevocationWatcher(nc);
  await watcher.ready;
  connection = await Connection.connect({ address: env.temporalAddress });
  const app = createTicketApp({
    sql,
    nc,
    js,
    temporal: new Client({ connection, namespace: env.temporalNamespace }),
    taskQueue: `security-stream-${randomUUID().slice(0, 8)}`,
    verifyToken: createTokenVerifier({ issuer: ISSUER, jwksUrl: 'http://127.0.0.1:1/unused', audience: 'tierline-ticket', keySet, isRevoked: watcher.isRevoked }),
    logger: createLogger('security-event-stream', process.env.LOG_LEVEL ?? 'silent'),
    categories: ['ehr'],
  });
  server = await listen(app, 0);
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  for (const sub of revokedHere) await unrevokeUser(nc, sub).catch(() => undefined);
  await server?.close();
  await watcher?.stop();
  await nc?.drain();
  await connection?.close();
  await sql?.end();
  await db?.drop();
});

describe('the live event stream for its whole life', () => {
  it('closes within 2 s of the account being disabled and delivers nothing after, ticket text included', async () => {
    const sub = randomUUID();
    const stream = await open(`Bearer ${await agentToken(sub, 300)}`);
    try {
      const ticket = await insertTicket();
      const before = await publish(ticket);
      await until('the event before the disable', () => stream.ticketIds().includes(before), 10_000);

      // What the identity service does first when an admin disables someone.
      const disabledAt = Date.now();
      revokedHere.push(sub);
      await revokeUser(nc, sub);
      // An event of a ticket the agent could read, published right after the disable.
      const after = await publish(ticket);
      await until('the stream to end', () => stream.endedAt() !== null, 2_000);
      expect(stream.endedAt()! - disabledAt).toBeLessThan(2_000);
      expect(stream.ticketIds(), 'nothing after the disable').toEqual([before]);
      expect(stream.ticketIds()).not.toContain(after);
      const last = stream.frames[stream.frames.length - 1]!;
      expect(last.event).toBe('denied');
      expect(JSON.parse(last.data)).toMatchObject({ error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/revoked/) } });

      // And a new stream with the same, unexpired token is refused like any REST call.
      const again = await fetch(`${base}/api/v1/events/stream`, { headers: { authorization: `Bearer ${await agentToken(sub, 300)}` } });
      expect(again.status).toBe(401);
    } finally {
      stream.close();
    }
  });

  it('closes without an event too: a disabled account stops receiving even while nothing happens', async () => {
    const sub = randomUUID();
    const stream = await open(`Bearer ${await agentToken(sub, 300)}`);
    try {
      const disabledAt = Date.now();
      revokedHere.push(sub);
      await revokeUser(nc, sub);
      await until('the stream to end', () => stream.endedAt() !== null, 2_000);
      expect(stream.endedAt()! - disabledAt).toBeLessThan(2_000);
    } finally {
      stream.close();
    }
  });

  it('with "Bearer<TAB><token>", which authentication accepts, ends at the token\'s exp, not an hour later', async () => {
    const sub = randomUUID();
    const token = await agentToken(sub, 3);
    const exp = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000;
    const stream = await open(`Bearer\t${token}`);
    try {
      const ticket = await insertTicket();
      const live = await publish(ticket);
      await until('an event while the token is valid', () => stream.ticketIds().includes(live), 10_000);
      await until('the stream to end at expiry', () => stream.endedAt() !== null, exp - Date.now() + 1_500);
      expect(stream.endedAt()! - exp).toBeLessThan(1_500);
      expect(stream.frames.some((f) => f.event === 'expired')).toBe(true);
      const ticketFrames = stream.frames.filter((f) => f.event === 'ticket');
      expect(ticketFrames.every((f) => f.at < exp + 500), 'no ticket after exp').toBe(true);
    } finally {
      stream.close();
    }
  });
});
