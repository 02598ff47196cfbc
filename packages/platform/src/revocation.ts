import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { AppError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * Disabled accounts, shared by every service: a JetStream key-value bucket whose keys are the
 * subject ids (Keycloak `sub`) of disabled users and whose values are when they were disabled
 * (or "issued-before <time>": only tokens issued until then, see revokeTokensIssuedBefore).
 * The identity service writes it (put on disable, delete on re-enable); every service watches it
 * into an in-memory set that its token verifier consults (TokenVerifierOptions.isRevoked).
 *
 * Why: an access token stays valid until it expires (≤ 5 min). Keycloak's own logout ends the
 * sessions but cannot recall tokens already handed out, and asking Keycloak per request
 * (introspection) would put it on every request's path. The watch pushes each change to every
 * service as it happens, so the delay is NATS propagation, typically well under a second
 * (measured by revocation.int.test.ts and services/identity's disable test: < 2 s asserted).
 *
 * Fails closed (decision 20): until the watch has read the bucket's current content, and whenever
 * it cannot show that it is up to date, `isRevoked` throws UNAVAILABLE, which the verifier answers
 * with 503 — never "not revoked". Written and watched with @nats-io/kv (stream KV_<bucket>,
 * subjects $KV.<bucket>.<key>), so `nats kv ls/get tierline_revoked_users` reads it too.
 */
export const REVOKED_USERS_BUCKET = 'tierline_revoked_users';

/** How often the watch proves it is current; after STALE_AFTER_MS without proof it answers 503. */
const CHECK_EVERY_MS = 2_000;
const STALE_AFTER_MS = 6_000;

function openBucket(nc: NatsConnection): Promise<KV> {
  // create: opens the bucket, or makes it (one value per key) on a fresh installation.
  return new Kvm(nc).create(REVOKED_USERS_BUCKET, { history: 1 });
}

function checkKey(sub: string): string {
  if (!/^[A-Za-z0-9_=.-]+$/.test(sub)) throw new Error('subject id is not a valid key');
  return sub;
}

/** Marks an account disabled: every watcher refuses its tokens from now on. */
export async function revokeUser(nc: NatsConnection, sub: string, disabledAt = new Date()): Promise<void> {
  await (await openBucket(nc)).put(checkKey(sub), disabledAt.toISOString());
}

const ISSUED_BEFORE = 'issued-before ';

/**
 * Refuses the tokens the account holds now, not those it gets later: every watcher refuses a
 * token whose `iat` is at or before `before` (to the second). For an account that stays enabled
 * but whose sign-in requirements changed (a role grant that needs a second factor, decision 19):
 * its sessions are ended in Keycloak, and its next token comes from a login that met them.
 */
export async function revokeTokensIssuedBefore(nc: NatsConnection, sub: string, before = new Date()): Promise<void> {
  await (await openBucket(nc)).put(checkKey(sub), `${ISSUED_BEFORE}${before.toISOString()}`);
}

/** A value of the bucket: "issued-before <ISO time>" limits the refusal; anything else refuses every token. */
function issuedBeforeOf(value: string): number {
  if (!value.startsWith(ISSUED_BEFORE)) return Infinity;
  const at = Date.parse(value.slice(ISSUED_BEFORE.length));
  return Number.isNaN(at) ? Infinity : at;
}

/** Lifts the mark (the account was re-enabled). */
export async function unrevokeUser(nc: NatsConnection, sub: string): Promise<void> {
  await (await openBucket(nc)).delete(checkKey(sub));
}

export interface RevocationWatcher {
  /**
   * For TokenVerifierOptions.isRevoked: a disabled account's tokens are all refused; after
   * revokeTokensIssuedBefore, those issued (`iat`, seconds) at or before that time. Without
   * `issuedAt`, any mark counts. Throws AppError UNAVAILABLE while the view is not loaded yet or
   * not known to be current (NATS gone, watch ended, behind the bucket for too long).
   */
  isRevoked: (sub: string, issuedAt?: number) => boolean;
  /** Resolves once the bucket's current content has been read. */
  ready: Promise<void>;
  size: () => number;
  stop: () => Promise<void>;
}

export interface RevocationWatcherOptions {
  /** How often the watch compares itself with the bucket (ms). */
  checkEveryMs?: number;
  /** Without a successful comparison for this long, the view is stale (ms). */
  staleAfterMs?: number;
}

/**
 * Watches the bucket into an in-memory set (an ordered consumer: the last value of every key,
 * then each change; it re-creates itself after a lost connection, and a watch that ends is started
 * again). Every `checkEveryMs` it reads the bucket's last sequence and counts the view current
 * once the watch has reached it; the view is ready the first time, and stale when the last such
 * proof is older than `staleAfterMs`, when the connection is down, or while the watch has ended. Call it once per process, hand `isRevoked`
 * to createTokenVerifier, and await `ready` before serving.
 */
export async function createRevocationWatcher(nc: NatsConnection, logger?: Logger, opts: RevocationWatcherOptions = {}): Promise<RevocationWatcher> {
  const checkEveryMs = opts.checkEveryMs ?? CHECK_EVERY_MS;
  const staleAfterMs = opts.staleAfterMs ?? STALE_AFTER_MS;
  const kv = await openBucket(nc);
  // Subject id -> tokens issued at or before this time (ms) are refused; Infinity: all of them.
  const revoked = new Map<string, number>();
  let seen = 0;
  let freshAt = 0;
  let loaded = false;
  let ended = false;
  let connected = true;
  /** A sequence the bucket had at `at`: the view is current as of `at` once the watch reaches it. */
  let target = null as { seq: number; at: number } | null;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));

  const proven = (at: number) => {
    freshAt = Math.max(freshAt, at);
    if (!loaded) {
      loaded = true;
      markReady();
    }
  };
  const check = async () => {
    const at = Date.now();
    try {
      const lastSeq = (await kv.status()).streamInfo.state.last_seq;
      if (seen >= lastSeq) proven(at);
      else target = { seq: lastSeq, at };
    } catch (err) {
      logger?.warn({ err }, 'revocation bucket check failed');
    }
  };

  let stopped = false;
  let entries = await kv.watch();
  /** Follows one watch until it ends; a new watch starts over from the bucket's current content. */
  const follow = async (it: typeof entries) => {
    for await (const e of it) {
      if (e.operation === 'DEL' || e.operation === 'PURGE') revoked.delete(e.key);
      else revoked.set(e.key, issuedBeforeOf(e.string()));
      seen = Math.max(seen, e.revision);
      if (target && seen >= target.seq) {
        proven(target.at);
        target = null;
      }
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await follow(entries).catch((err: unknown) => logger?.error({ err }, 'revocation watch failed'));
      if (stopped || nc.isClosed()) break;
      // The watch ended on its own: stale (503) until a new one has caught up with the bucket.
      ended = true;
      logger?.warn('revocation watch ended; watching again');
      await new Promise((r) => setTimeout(r, 1_000));
      if (nc.isClosed()) break;
      try {
        const next = await kv.watch();
        seen = 0;
        target = null;
        freshAt = 0;
        entries = next;
        ended = false;
      } catch (err) {
        logger?.warn({ err }, 'revocation watch could not be restarted');
      }
    }
  })();
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') connected = false;
      if (s.type === 'reconnect') connected = true;
    }
  })();
  await check();
  const timer = setInterval(() => void check(), checkEveryMs);
  timer.unref();

  return {
    isRevoked: (sub, issuedAt) => {
      if (!loaded) throw new AppError('UNAVAILABLE', 'the list of disabled accounts is not loaded yet; retry shortly');
      if (ended || !connected || nc.isClosed() || Date.now() - freshAt > staleAfterMs) {
        throw new AppError('UNAVAILABLE', 'cannot check for disabled accounts right now; retry shortly');
      }
      const before = revoked.get(sub);
      if (before === undefined) return false;
      return issuedAt === undefined || issuedAt * 1000 <= before;
    },
    ready,
    size: () => revoked.size,
    stop: async () => {
      stopped = true;
      ended = true;
      clearInterval(timer);
      entries.stop();
      await loop;
    },
  };
}
