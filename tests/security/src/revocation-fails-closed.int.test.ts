/**
 * Low finding: token revocation fails closed. A revocation watch that is dead, stopped or stale
 * answers 503, never "not revoked"; every service waits for its revocation view before it serves.
 *
 * The ticket service's app runs in this process on the real PostgreSQL, NATS and Temporal, its
 * token verifier consulting a real watch of the disabled-accounts bucket on a NATS connection of
 * its own, which the tests then kill, stop or leave unproven. Tokens are signed with a key made
 * here (which the verifier trusts besides), for a fresh subject id per test.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { jetstream } from '@nats-io/jetstream';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTVerifyGetKey } from 'jose';
import {
  connectNats,
  createLogger,
  createRevocationWatcher,
  createSql,
  createTokenVerifier,
  ensureStreams,
  listen,
  migrate,
  type NatsConnection,
  type RevocationWatcher,
  type Sql,
} from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { createTicketApp, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';

const env = testEnv();
const ISSUER = 'http://revocation-fails-closed.test/realms/tierline';
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: Sql;
let nc: NatsConnection;
let connection: Connection;
let keySet: JWTVerifyGetKey;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const closers: (() => Promise<unknown>)[] = [];

async function agentToken(): Promise<string> {
  return new SignJWT({ typ: 'Bearer', preferred_username: 'agent', realm_access: { roles: ['it_agent'] }, groups: [] })
    .setProtectedHeader({ alg: 'RS256', kid: 'revocation-test' })
    .setIssuer(ISSUER)
    .setAudience('tierline-ticket')
    .setSubject(randomUUID())
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

/** The ticket service with its verifier on `watcher`; returns a GET of the queue, a protected route. */
async function ticketServiceWith(watcher: Pick<RevocationWatcher, 'isRevoked'>) {
  const app = createTicketApp({
    sql,
    nc,
    js: jetstream(nc),
    temporal: new Client({ connection, namespace: env.temporalNamespace }),
    taskQueue: `security-revocation-${randomUUID().slice(0, 8)}`,
    verifyToken: createTokenVerifier({ issuer: ISSUER, jwksUrl: 'http://127.0.0.1:1/unused', audience: 'tierline-ticket', keySet, isRevoked: watcher.isRevoked }),
    logger: createLogger('security-revocation', process.env.LOG_LEVEL ?? 'silent'),
    categories: ['network'],
  });
  const server = await listen(app, 0);
  closers.push(() => server.close());
  return async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/tickets`, { headers: { authorization: `Bearer ${await agentToken()}` } });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  };
}

/** A watch on a NATS connection of its own, as a service process has. */
async function ownWatch(opts?: Parameters<typeof createRevocationWatcher>[2]) {
  const own = await connectNats(env.natsUrl, 'security-revocation-watch');
  closers.push(() => (own.isClosed() ? Promise.resolve() : own.close()));
  const watcher = await createRevocationWatcher(own, undefined, opts);
  await watcher.ready;
  return { own, watcher };
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  keySet = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'revocation-test', alg: 'RS256', use: 'sig' }] });
  db = await createTestDatabase('secrevoke');
  sql = createSql(db.url, 'ticket', 5);
  await migrate(sql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
  nc = await connectNats(env.natsUrl, 'security-revocation');
  await ensureStreams(nc);
  connection = await Connection.connect({ address: env.temporalAddress });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await nc?.drain();
  await connection?.close();
  await sql?.end();
  await db?.drop();
});

describe('token revocation fails closed', () => {
  it('a dead watch (its NATS connection gone) answers 503, not "not revoked"', async () => {
    const { own, watcher } = await ownWatch();
    const get = await ticketServiceWith(watcher);
    expect((await get()).status, 'served while the watch is alive').toBe(200);
    await own.close();
    const refused = await get();
    expect(refused.status).toBe(503);
    expect(refused.body.error?.code).toBe('UNAVAILABLE');
    expect(refused.body.error?.message).toMatch(/disabled accounts/);
  });

  it('a stopped watch answers 503', async () => {
    const { watcher } = await ownWatch();
    const get = await ticketServiceWith(watcher);
    expect((await get()).status).toBe(200);
    await watcher.stop();
    expect((await get()).status).toBe(503);
  });

  it('a stale watch — not shown current for longer than its limit — answers 503', async () => {
    // The service first, so the request below follows the watch's one proof closely.
    let watcher: RevocationWatcher | null = null;
    const get = await ticketServiceWith({ isRevoked: (sub) => watcher!.isRevoked(sub) });
    // Proven current once at start, then not again for a minute; a proof counts for one second.
    watcher = (await ownWatch({ checkEveryMs: 60_000, staleAfterMs: 1_000 })).watcher;
    closers.push(() => watcher.stop());
    expect((await get()).status, 'served while the proof is fresh').toBe(200);
    await new Promise((r) => setTimeout(r, 1_300));
    const refused = await get();
    expect(refused.status).toBe(503);
    expect(refused.body.error?.code).toBe('UNAVAILABLE');
  });

  it('never says "not revoked" before the current list is loaded, and every service waits for it before it serves', async () => {
    // The watch answers only once loaded: `ready` is what the one start-up sequence awaits before listening.
    const { watcher } = await ownWatch();
    closers.push(() => watcher.stop());
    expect(watcher.isRevoked(randomUUID())).toBe(false);
    const source = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');
    // bootService (packages/platform/src/boot.ts) is that sequence; its order is exercised on the
    // real servers by packages/platform/src/boot.int.test.ts, and read here.
    const boot = source('../../../packages/platform/src/boot.ts');
    const body = boot.slice(boot.indexOf('export async function bootService'));
    const created = body.indexOf('createRevocationWatcher(');
    const awaited = body.indexOf('await revoked.ready');
    const verifier = body.indexOf('createTokenVerifier(');
    const started = body.indexOf('await opts.start(');
    const listening = body.indexOf('await listen(');
    expect(created, 'the boot sequence watches the disabled accounts').toBeGreaterThan(0);
    expect(awaited, 'it awaits its revocation view').toBeGreaterThan(created);
    expect(started, 'the service starts only after the view is loaded').toBeGreaterThan(awaited);
    expect(listening, 'it awaits its revocation view before it listens').toBeGreaterThan(awaited);
    expect(verifier, 'the token verifier is built after the view').toBeGreaterThan(awaited);
    expect(body.slice(verifier, verifier + 300), 'the boot sequence hands the watch to its token verifier').toContain('isRevoked: revoked.isRevoked');
    for (const service of ['ticket', 'audit', 'identity', 'notification']) {
      const main = source(`../../../services/${service}/src/main.ts`);
      expect(main, `${service} starts through the one boot sequence`).toContain('await bootService(');
      // Anything of its own would bypass the sequence: its own listener, watch or verifier.
      expect(main, `${service} does not listen by itself`).not.toMatch(/\blisten\(/);
      expect(main, `${service} does not build its own revocation watch`).not.toContain('createRevocationWatcher(');
      expect(main, `${service} uses the verifier the boot sequence built`).not.toContain('createTokenVerifier(');
    }
  });
});
