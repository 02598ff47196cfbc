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
import { beforeAll, describe, expect } from 'vitest';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTVerifyGetKey } from 'jose';
import { connectNats, createRevocationWatcher, createTokenVerifier, type RevocationWatcher } from '@tierline/platform';
import { testEnv } from '@tierline/testing';
import { cleanupStack, temporalClient, type CleanupStack } from '@tierline/test-fixtures';
import { startTicketApp, ticketBaseTest, type TicketAppParts } from '@tierline/ticket/test-fixtures';

const env = testEnv();
const ISSUER = 'http://revocation-fails-closed.test/realms/tierline';
let keySet: JWTVerifyGetKey;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

// The ticket service's database, NATS and Temporal; `closers` stops what the tests start (the
// apps, the watches and their connections) after the file, last first.
const test = ticketBaseTest('secrevoke')
  .extend('temporal', { scope: 'file' }, temporalClient())
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; none here
  .extend('closers', { scope: 'file' }, async ({}, { onCleanup }) => {
    const closers = cleanupStack();
    onCleanup(closers.run);
    return closers;
  });
let parts: TicketAppParts;
let closers: CleanupStack;

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
  const verifyToken = createTokenVerifier({ issuer: ISSUER, jwksUrl: 'http://127.0.0.1:1/unused', audience: 'tierline-ticket', keySet, isRevoked: watcher.isRevoked });
  const app = await startTicketApp({ label: 'security-revocation', categories: ['network'], deps: () => ({ verifyToken }) }, parts, closers);
  return async () => {
    const res = await fetch(`${app.baseUrl}/api/v1/tickets`, { headers: { authorization: `Bearer ${await agentToken()}` } });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  };
}

/** A watch on a NATS connection of its own, as a service process has. */
async function ownWatch(opts?: Parameters<typeof createRevocationWatcher>[2]) {
  const own = await connectNats(env.natsUrl, 'security-revocation-watch');
  closers.onCleanup(() => (own.isClosed() ? Promise.resolve() : own.close()));
  const watcher = await createRevocationWatcher(own, undefined, opts);
  await watcher.ready;
  return { own, watcher };
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  keySet = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'revocation-test', alg: 'RS256', use: 'sig' }] });
});

test.beforeAll(({ database, nats, temporal, closers: stack }) => {
  parts = { database, nats, temporal };
  closers = stack;
});

describe('token revocation fails closed', () => {
  test('a dead watch (its NATS connection gone) answers 503, not "not revoked"', async () => {
    const { own, watcher } = await ownWatch();
    const get = await ticketServiceWith(watcher);
    expect((await get()).status, 'served while the watch is alive').toBe(200);
    await own.close();
    const refused = await get();
    expect(refused.status).toBe(503);
    expect(refused.body.error?.code).toBe('UNAVAILABLE');
    expect(refused.body.error?.message).toMatch(/disabled accounts/);
  });

  test('a stopped watch answers 503', async () => {
    const { watcher } = await ownWatch();
    const get = await ticketServiceWith(watcher);
    expect((await get()).status).toBe(200);
    await watcher.stop();
    expect((await get()).status).toBe(503);
  });

  test('a stale watch — not shown current for longer than its limit — answers 503', async () => {
    // The service first, so the request below follows the watch's one proof closely.
    let watcher: RevocationWatcher | null = null;
    const get = await ticketServiceWith({ isRevoked: (sub) => watcher!.isRevoked(sub) });
    // Proven current once at start, then not again for a minute; a proof counts for one second.
    watcher = (await ownWatch({ checkEveryMs: 60_000, staleAfterMs: 1_000 })).watcher;
    closers.onCleanup(() => watcher.stop());
    expect((await get()).status, 'served while the proof is fresh').toBe(200);
    await new Promise((r) => setTimeout(r, 1_300));
    const refused = await get();
    expect(refused.status).toBe(503);
    expect(refused.body.error?.code).toBe('UNAVAILABLE');
  });

  test('never says "not revoked" before the current list is loaded, and every service waits for it before it serves', async () => {
    // The watch answers only once loaded: `ready` is what the one start-up sequence awaits before listening.
    const { watcher } = await ownWatch();
    closers.onCleanup(() => watcher.stop());
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
