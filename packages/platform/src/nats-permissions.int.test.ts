import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy, JetStreamApiError, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { AuthorizationError, PermissionViolationError, type Msg } from '@nats-io/nats-core';
import { COMMANDS_STREAM, EVENTS_STREAM, NOTIFY_SUBJECT } from '@tierline/contracts';
import { testEnv } from '@tierline/testing';
import { connectNats, ensureStreams, type NatsConnection } from './nats.js';
import { REVOKED_USERS_BUCKET, createRevocationWatcher, revokeUser, unrevokeUser } from './revocation.js';

/**
 * The users and subject permissions of infra/nats/nats.conf (permissions.conf), on the real NATS
 * server of the test run: each Tierline process may do its own work and nothing else, and nobody
 * gets in without credentials.
 *
 * Safe on a server that running services share: nothing here consumes, acks or stores a message
 * of theirs. An allowed publish on an event subject carries `Nats-Expected-Stream` naming a stream
 * that does not exist, so the stream that received it refuses to store it (JetStream error 10060);
 * the consumers of the services are probed with requests the server answers without acting (an
 * unparsable declaration, an expired pull). Such an answer proves the server let the request
 * through; a refused one ends in the client's PermissionViolationError naming operation and subject.
 */

const USERS = ['ticket', 'identity', 'notification', 'audit', 'worker'] as const;
type User = (typeof USERS)[number];
// The dev secrets of infra/nats/nats.conf (which holds only their bcrypt hashes).
const password = (user: User) => `${user}-dev-secret`;
const PROBE_STREAM = 'tierline-permission-probe-no-such-stream';

const conns = new Map<User, NatsConnection>();
const as = (user: User): NatsConnection => {
  const nc = conns.get(user);
  if (!nc) throw new Error(`no connection for ${user}`);
  return nc;
};

/** The PermissionViolationError behind a rejection (the request APIs wrap it in `cause`). */
function permissionError(err: unknown): PermissionViolationError | null {
  if (err instanceof PermissionViolationError) return err;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause instanceof PermissionViolationError ? cause : null;
}

async function refused(p: Promise<unknown>): Promise<PermissionViolationError> {
  const outcome = await p.then(
    (value) => ({ value }),
    (err: unknown) => ({ err }),
  );
  if (!('err' in outcome)) throw new Error(`expected a permissions violation, but the server allowed it (answer: ${JSON.stringify(outcome.value)?.slice(0, 200)})`);
  const pe = permissionError(outcome.err);
  if (!pe) throw new Error(`expected a permissions violation, got ${(outcome.err as Error)?.name}: ${(outcome.err as Error)?.message}`);
  return pe;
}

/** "No responders", which the request APIs may hand over wrapped in a RequestError's `cause`. */
function isNoResponders(err: unknown): boolean {
  const direct = (e: unknown) => Boolean((e as { isNoResponders?: () => boolean } | null)?.isNoResponders?.());
  return direct(err) || direct((err as { cause?: unknown } | null)?.cause);
}

/** A JetStream publish that the stream receives but does not store (see above). */
function probePublish(nc: NatsConnection, subject: string) {
  return jetstream(nc).publish(subject, '{}', { expect: { streamName: PROBE_STREAM }, timeout: 5_000 });
}

/** Resolves to how the server answered an allowed probe publish; rejects with what a refused one got. */
async function reached(nc: NatsConnection, subject: string): Promise<'refused by the stream' | 'no stream'> {
  const err = await probePublish(nc, subject).then(
    () => new Error(`the probe on ${subject} was stored; it must not be`),
    (e: unknown) => e,
  );
  if (err instanceof JetStreamApiError && err.code === 10060) return 'refused by the stream';
  if (isNoResponders(err)) return 'no stream';
  throw err;
}

/**
 * Declaring a consumer, with a body the server cannot parse: an allowed request is answered with
 * JetStream's "invalid JSON" error (10025) and changes nothing.
 */
async function probeCreate(nc: NatsConnection, subject: string): Promise<number | undefined> {
  const reply: Msg = await nc.request(subject, 'not json', { timeout: 5_000 });
  return reply.json<{ error?: { err_code?: number } }>().error?.err_code;
}

/**
 * Pulling, with a request that has expired already: an allowed one is answered "408 Request
 * Timeout" and takes no message, even from a consumer with messages pending; "503" when the
 * consumer does not exist (yet) on this server: the server let the request through either way.
 */
async function probePull(nc: NatsConnection, subject: string): Promise<string> {
  const reply = await nc.request(subject, JSON.stringify({ batch: 1, expires: -1 }), { timeout: 5_000 }).then(
    (m: Msg) => `${m.headers?.code ?? 'a message'}`,
    (e: unknown) => {
      if (isNoResponders(e)) return '503';
      throw e;
    },
  );
  return reply;
}

/** A core subscription the server refuses closes with the violation; an allowed one stays open. */
async function subscribeOutcome(nc: NatsConnection, subject: string): Promise<PermissionViolationError | 'open'> {
  const sub = nc.subscribe(subject);
  // The server answers SUB (with -ERR when refused) before the PONG that flush waits for.
  await nc.flush();
  if (!sub.isClosed()) {
    sub.unsubscribe();
    return 'open';
  }
  const err = await sub.closed;
  if (err instanceof PermissionViolationError) return err;
  throw new Error(`subscription to ${subject} closed without a permissions violation: ${String(err)}`);
}

beforeAll(async () => {
  for (const user of USERS) {
    conns.set(user, await connectNats(testEnv().natsServers, `permissions-test-${user}`, undefined, { user, password: password(user) }));
  }
});

afterAll(async () => {
  for (const nc of conns.values()) await nc.close();
});

describe('NATS logins', () => {
  it('refuses an anonymous connection', async () => {
    const err = await connectNats(testEnv().natsServers, 'permissions-test-anonymous').then(
      async (nc) => {
        await nc.close();
        return new Error(
          `${testEnv().natsServers} accepted an anonymous connection: the server runs without infra/nats/nats.conf ` +
            '(restart it: node infra/stack.mjs down nats && node infra/stack.mjs up nats)',
        );
      },
      (e: unknown) => e,
    );
    expect(err, String(err)).toBeInstanceOf(AuthorizationError);
  });

  it('refuses a service user with a wrong password', async () => {
    const err = await connectNats(testEnv().natsServers, 'permissions-test-wrong', undefined, { user: 'ticket', password: 'not-the-password' }).then(
      async (nc) => {
        await nc.close();
        return new Error('connected with a wrong password');
      },
      (e: unknown) => e,
    );
    expect(err, String(err)).toBeInstanceOf(AuthorizationError);
  });
});

describe('what every service does at start-up', () => {
  it.each(USERS)('%s declares the shared streams (info, create or update)', async (user) => {
    const jsm = await ensureStreams(as(user));
    const info = await jsm.streams.info(EVENTS_STREAM);
    expect(info.config.name).toBe(EVENTS_STREAM);
  });

  it.each(['ticket', 'identity', 'notification', 'audit'] as const)('%s watches the revoked-users bucket', async (user) => {
    const watcher = await createRevocationWatcher(as(user));
    await watcher.ready;
    expect(watcher.isRevoked(randomUUID())).toBe(false);
    await watcher.stop();
  });

  it('the worker, which verifies no tokens, may not read the revoked-users bucket', async () => {
    const err = await refused(createRevocationWatcher(as('worker')));
    // INFO is refused first; the watcher then tries to create the bucket, refused as well.
    expect(err.subject).toMatch(new RegExp(`^\\$JS\\.API\\.STREAM\\.(INFO|CREATE)\\.KV_${REVOKED_USERS_BUCKET}$`));
  });

  it('no service may delete or purge a stream', async () => {
    for (const user of USERS) {
      const jsm = await jetstreamManager(as(user));
      expect((await refused(jsm.streams.delete(EVENTS_STREAM))).subject, user).toBe(`$JS.API.STREAM.DELETE.${EVENTS_STREAM}`);
      expect((await refused(jsm.streams.purge(COMMANDS_STREAM))).subject, user).toBe(`$JS.API.STREAM.PURGE.${COMMANDS_STREAM}`);
    }
  });
});

describe('each service publishes its own events and nothing else', () => {
  const own: Record<User, string[]> = {
    ticket: ['tierline.events.ticket.watcher_added', 'tierline.events.ticket.content_read', 'tierline.events.policy.published', 'tierline.events.assignment.team_changed'],
    worker: ['tierline.events.ticket.created', 'tierline.events.ticket.escalated', 'tierline.events.assignment.rules_changed', 'tierline.events.policy.migration_requested', NOTIFY_SUBJECT],
    identity: ['tierline.events.identity.user_disabled', 'tierline.events.vendor_link.issued'],
    notification: ['tierline.events.notification.sent', 'tierline.events.notification.delivery_failed'],
    audit: [],
  };
  const foreign: Record<User, string[]> = {
    ticket: ['tierline.events.identity.user_disabled', 'tierline.events.notification.sent', NOTIFY_SUBJECT],
    worker: ['tierline.events.identity.roles_changed', 'tierline.events.vendor_link.used', 'tierline.events.notification.sent'],
    identity: ['tierline.events.ticket.created', 'tierline.events.policy.published', NOTIFY_SUBJECT],
    notification: ['tierline.events.ticket.created', 'tierline.events.identity.user_invited', NOTIFY_SUBJECT],
    audit: ['tierline.events.audit.exported', 'tierline.events.ticket.created', 'tierline.events.notification.sent', NOTIFY_SUBJECT],
  };

  it.each(USERS)('%s may publish on its own subjects', async (user) => {
    await ensureStreams(as(user));
    for (const subject of own[user]) expect(await reached(as(user), subject), subject).toBe('refused by the stream');
  });

  it.each(USERS)("%s is refused on other services' subjects", async (user) => {
    for (const subject of foreign[user]) {
      const err = await refused(probePublish(as(user), subject));
      expect({ operation: err.operation, subject: err.subject }, subject).toEqual({ operation: 'publish', subject });
      expect(err.message).toBe(`Permissions Violation for Publish to "${subject}"`);
    }
  });

  it('notification may copy a command to its dead-letter stream', async () => {
    expect(['refused by the stream', 'no stream']).toContain(await reached(as('notification'), 'tierline.dead_letters.notify'));
    await refused(probePublish(as('worker'), 'tierline.dead_letters.notify'));
  });

  it('only identity writes the revoked-users bucket', async () => {
    const sub = `permissions-test-${randomUUID()}`;
    await revokeUser(as('identity'), sub);
    await unrevokeUser(as('identity'), sub);
    for (const user of ['ticket', 'notification', 'audit'] as const) {
      const err = await refused(revokeUser(as(user), sub));
      expect(err.subject, user).toBe(`$KV.${REVOKED_USERS_BUCKET}.${sub}`);
    }
  });
});

describe('each service reads through its own consumers only', () => {
  const CREATE = '$JS.API.CONSUMER.CREATE';
  const NEXT = '$JS.API.CONSUMER.MSG.NEXT';
  const own: [User, string, string][] = [
    ['audit', EVENTS_STREAM, 'audit.tierline.events.>'],
    ['notification', COMMANDS_STREAM, `notification.${NOTIFY_SUBJECT}`],
    ['notification', EVENTS_STREAM, 'notification-updates.tierline.events.ticket.>'],
    ['ticket', EVENTS_STREAM, 'ticket-notification-timeline.tierline.events.notification.>'],
  ];

  it.each(own)('%s may declare and pull from its durable on %s', async (user, stream, durableAndFilter) => {
    expect(await probeCreate(as(user), `${CREATE}.${stream}.${durableAndFilter}`), 'invalid JSON, not a violation').toBe(10025);
    const durable = durableAndFilter.split('.')[0];
    expect(['408', '503'], 'expired pull answered').toContain(await probePull(as(user), `${NEXT}.${stream}.${durable}`));
  });

  it("no service may pull from another's durable", async () => {
    const cases: [User, string][] = [
      ['identity', `${NEXT}.${COMMANDS_STREAM}.notification`],
      ['ticket', `${NEXT}.${COMMANDS_STREAM}.notification`],
      ['audit', `${NEXT}.${COMMANDS_STREAM}.notification`],
      ['notification', `${NEXT}.${EVENTS_STREAM}.audit`],
      ['worker', `${NEXT}.${EVENTS_STREAM}.ticket-notification-timeline`],
    ];
    for (const [user, subject] of cases) expect((await refused(probePull(as(user), subject))).subject, user).toBe(subject);
  });

  it('the filter of a durable is pinned: the ticket service cannot widen its own to every event', async () => {
    const jsm = await jetstreamManager(as('ticket'));
    const cfg = { durable_name: 'ticket-notification-timeline', ack_policy: AckPolicy.Explicit };
    const wide = await refused(jsm.consumers.add(EVENTS_STREAM, { ...cfg, filter_subject: 'tierline.events.>' }));
    expect(wide.subject).toBe(`${CREATE}.${EVENTS_STREAM}.ticket-notification-timeline.tierline.events.>`);
    const none = await refused(jsm.consumers.add(EVENTS_STREAM, cfg));
    expect(none.subject).toBe(`${CREATE}.${EVENTS_STREAM}.ticket-notification-timeline`);
  });

  it('no service may create a consumer under another name', async () => {
    const jsm = await jetstreamManager(as('audit'));
    const err = await refused(jsm.consumers.add(EVENTS_STREAM, { durable_name: `audit-${randomUUID().slice(0, 8)}`, ack_policy: AckPolicy.Explicit }));
    expect(err.subject).toMatch(new RegExp(`^\\$JS\\.API\\.CONSUMER\\.CREATE\\.${EVENTS_STREAM}\\.audit-`));
  });
});

describe('plain subscriptions: only where a service must, never to replies meant for someone else', () => {
  it('identity may not subscribe to the notification commands', async () => {
    const err = await subscribeOutcome(as('identity'), NOTIFY_SUBJECT);
    expect(err).toBeInstanceOf(PermissionViolationError);
    expect(err instanceof PermissionViolationError && { operation: err.operation, subject: err.subject }).toEqual({ operation: 'subscription', subject: NOTIFY_SUBJECT });
  });

  it('no service may subscribe to all events; only the ticket service follows the ticket events (its live feed)', async () => {
    for (const user of USERS) {
      const err = await subscribeOutcome(as(user), 'tierline.events.>');
      expect(err, user).toBeInstanceOf(PermissionViolationError);
    }
    expect(await subscribeOutcome(as('ticket'), 'tierline.events.ticket.>')).toBe('open');
    for (const user of ['identity', 'notification', 'audit', 'worker'] as const) {
      expect(await subscribeOutcome(as(user), 'tierline.events.ticket.>'), user).toBeInstanceOf(PermissionViolationError);
    }
    expect(await subscribeOutcome(as('ticket'), 'tierline.events.identity.>')).toBeInstanceOf(PermissionViolationError);
  });

  it("each service may subscribe to its own inbox, not to another's or to the shared one", async () => {
    expect(await subscribeOutcome(as('ticket'), `_INBOX_ticket.${randomUUID()}`)).toBe('open');
    for (const subject of ['_INBOX_identity.>', '_INBOX.>']) {
      const err = await subscribeOutcome(as('ticket'), subject);
      expect(err, subject).toBeInstanceOf(PermissionViolationError);
    }
  });
});

describe('the anchored audit checkpoints (TIERLINE_AUDIT_CHECKPOINTS)', () => {
  const ANCHORS = 'TIERLINE_AUDIT_CHECKPOINTS';
  const SUBJECT = 'tierline.audit.checkpoints';

  it('audit may append to them, read the newest and declare the stream, but not update, purge or delete it', async () => {
    expect(['refused by the stream', 'no stream']).toContain(await reached(as('audit'), SUBJECT));
    expect(await probeCreate(as('audit'), `$JS.API.STREAM.CREATE.${ANCHORS}`)).toBe(10025);
    expect(await probeCreate(as('audit'), `$JS.API.STREAM.MSG.GET.${ANCHORS}`)).not.toBeUndefined();
    for (const op of ['UPDATE', 'PURGE', 'DELETE', 'MSG.DELETE']) {
      const err = await refused(as('audit').request(`$JS.API.STREAM.${op}.${ANCHORS}`, 'not json', { timeout: 5_000 }));
      expect(err.subject).toBe(`$JS.API.STREAM.${op}.${ANCHORS}`);
    }
  });

  it.each(['ticket', 'identity', 'notification', 'worker'] as const)('%s cannot write them', async (user) => {
    const err = await refused(probePublish(as(user), SUBJECT));
    expect(err.subject).toBe(SUBJECT);
  });

  it('the operator cannot delete, purge, reconfigure or write them', async () => {
    const ops = await connectNats(testEnv().natsServers, 'permissions-test-ops-anchors', undefined, { user: 'ops', password: 'ops-dev-secret' });
    try {
      for (const op of ['UPDATE', 'PURGE', 'DELETE', 'MSG.DELETE']) {
        const err = await refused(ops.request(`$JS.API.STREAM.${op}.${ANCHORS}`, 'not json', { timeout: 5_000 }));
        expect(err.subject).toBe(`$JS.API.STREAM.${op}.${ANCHORS}`);
      }
      await refused(probePublish(ops, SUBJECT));
    } finally {
      await ops.close();
    }
  });
});

describe('the operator user (NATS CLI)', () => {
  it('manages the streams and may send a command again, but publishes no events', async () => {
    const ops = await connectNats(testEnv().natsServers, 'permissions-test-ops', undefined, { user: 'ops', password: 'ops-dev-secret' });
    try {
      const jsm = await jetstreamManager(ops);
      const names: string[] = [];
      for await (const name of jsm.streams.names()) names.push(name);
      expect(names).toContain(EVENTS_STREAM);
      expect(await reached(ops, NOTIFY_SUBJECT)).toBe('refused by the stream');
      const err = await refused(probePublish(ops, 'tierline.events.ticket.created'));
      expect(err.subject).toBe('tierline.events.ticket.created');
    } finally {
      await ops.close();
    }
  });
});
