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
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createRevocationWatcher, createTokenVerifier, revokeUser, unrevokeUser, type JetStreamClient, type NatsConnection, type Sql } from '@tierline/platform';
import { openEventStream, until } from '@tierline/test-fixtures';
import { insertTicketRow, publishTicketEvent, ticketAppTest } from '@tierline/ticket/test-fixtures';

const ISSUER = 'http://event-stream-lifetime.test/realms/tierline';
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const revokedHere: string[] = [];

const test = ticketAppTest({
  label: 'secstream',
  categories: ['ehr'],
  deps: async ({ nats, onCleanup }) => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const keySet = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'stream-test', alg: 'RS256', use: 'sig' }] });
    // As in main.ts: one watch on the service's connection, loaded before anything is served.
    const watcher = await createRevocationWatcher(nats.nc);
    onCleanup(() => watcher.stop());
    await watcher.ready;
    return { verifyToken: createTokenVerifier({ issuer: ISSUER, jwksUrl: 'http://127.0.0.1:1/unused', audience: 'tierline-ticket', keySet, isRevoked: watcher.isRevoked }) };
  },
});
let sql: Sql;
let nc: NatsConnection;
let js: JetStreamClient;
let base = '';

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

const insertTicket = () => insertTicketRow(sql, { title: "EHR shows another patient's chart", category: 'ehr', urgency: 'high', priority: 'P2', requesterId: 'someone' });
const publish = (ticketId: string) => publishTicketEvent(js, ticketId, 'ticket.acknowledged', {}, 'security-stream');

/** Opens the stream with `authorization` as given; records every named event and when the body ended. */
async function open(authorization: string) {
  const stream = await openEventStream(`${base}/api/v1/events/stream`, authorization);
  return { ...stream, ticketIds: () => stream.dataOf<{ event: { id: string } }>('ticket').map((m) => m.event.id) };
}

test.beforeAll(({ database, nats, app }) => {
  sql = database.sql;
  nc = nats.nc;
  js = nats.js;
  base = app.baseUrl;
});

afterAll(async () => {
  for (const sub of revokedHere) await unrevokeUser(nc, sub).catch(() => undefined);
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
