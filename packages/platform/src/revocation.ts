import { DeliverPolicy, DiscardPolicy, StorageType, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import type { Logger } from './logger.js';

/**
 * Disabled accounts, shared by every service: a JetStream key-value bucket whose keys are the
 * subject ids (Keycloak `sub`) of disabled users and whose values are when they were disabled.
 * The identity service writes it (put on disable, delete on re-enable); every service watches it
 * into an in-memory set that its token verifier consults (TokenVerifierOptions.isRevoked).
 *
 * Why: an access token stays valid until it expires (≤ 5 min). Keycloak's own logout ends the
 * sessions but cannot recall tokens already handed out, and asking Keycloak per request
 * (introspection) would put it on every request's path. The watch pushes each change to every
 * service as it happens, so the delay is NATS propagation, typically well under a second
 * (measured by revocation.int.test.ts and services/identity's disable test: < 2 s asserted).
 *
 * The bucket is stored in the standard KV layout (stream KV_<bucket>, subjects $KV.<bucket>.<key>,
 * delete = a `KV-Operation: DEL` marker), so `nats kv ls/get tierline_revoked_users` can read it;
 * it is written with plain JetStream calls only because the workspace does not carry @nats-io/kv.
 */
export const REVOKED_USERS_BUCKET = 'tierline_revoked_users';
const STREAM = `KV_${REVOKED_USERS_BUCKET}`;
const PREFIX = `$KV.${REVOKED_USERS_BUCKET}.`;

async function ensureBucket(nc: NatsConnection): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(STREAM);
  } catch {
    try {
      await jsm.streams.add({
        name: STREAM,
        subjects: [`${PREFIX}>`],
        storage: StorageType.File,
        // KV semantics: only the latest value per key, a delete marker replaces it.
        max_msgs_per_subject: 1,
        discard: DiscardPolicy.New,
        allow_rollup_hdrs: true,
        deny_delete: true,
        allow_direct: true,
        num_replicas: 1,
      });
    } catch (err) {
      // Another process created it between our info and add.
      await jsm.streams.info(STREAM).catch(() => {
        throw err;
      });
    }
  }
  return jsm;
}

function checkKey(sub: string): string {
  if (!/^[A-Za-z0-9_=.-]+$/.test(sub)) throw new Error('subject id is not a valid key');
  return sub;
}

/** Marks an account disabled: every watcher refuses its tokens from now on. */
export async function revokeUser(nc: NatsConnection, sub: string, disabledAt = new Date()): Promise<void> {
  await ensureBucket(nc);
  await jetstream(nc).publish(`${PREFIX}${checkKey(sub)}`, disabledAt.toISOString(), { timeout: 10_000 });
}

const ISSUED_BEFORE = 'issued-before ';

/**
 * Refuses the tokens the account holds now, not those it gets later: every watcher refuses a
 * token whose `iat` is at or before `before` (to the second). For an account that stays enabled
 * but whose sign-in requirements changed (a role grant that needs a second factor, decision 19):
 * its sessions are ended in Keycloak, and its next token comes from a login that met them.
 */
export async function revokeTokensIssuedBefore(nc: NatsConnection, sub: string, before = new Date()): Promise<void> {
  await ensureBucket(nc);
  await jetstream(nc).publish(`${PREFIX}${checkKey(sub)}`, `${ISSUED_BEFORE}${before.toISOString()}`, { timeout: 10_000 });
}

/** Lifts the mark (the account was re-enabled). */
export async function unrevokeUser(nc: NatsConnection, sub: string): Promise<void> {
  await ensureBucket(nc);
  const h = headers();
  h.set('KV-Operation', 'DEL');
  await jetstream(nc).publish(`${PREFIX}${checkKey(sub)}`, '', { headers: h, timeout: 10_000 });
}

/** A value of the bucket: "issued-before <ISO time>" limits the refusal; anything else refuses every token. */
function issuedBeforeOf(value: string): number {
  if (!value.startsWith(ISSUED_BEFORE)) return Infinity;
  const at = Date.parse(value.slice(ISSUED_BEFORE.length));
  return Number.isNaN(at) ? Infinity : at;
}

export interface RevocationWatcher {
  /**
   * For TokenVerifierOptions.isRevoked: a disabled account's tokens are all refused; after
   * revokeTokensIssuedBefore, those issued (`iat`, seconds) at or before that time. Without
   * `issuedAt`, any mark counts.
   */
  isRevoked: (sub: string, issuedAt?: number) => boolean;
  /** Resolves once the bucket's current content has been read. */
  ready: Promise<void>;
  size: () => number;
  stop: () => Promise<void>;
}

/**
 * Watches the bucket into an in-memory set. An ordered consumer delivers the last value of every
 * key, then each change as it is written; it re-creates itself after a lost connection, so the
 * set catches up by itself. Call it once per process and hand `isRevoked` to createTokenVerifier.
 */
export async function createRevocationWatcher(nc: NatsConnection, logger?: Logger): Promise<RevocationWatcher> {
  const jsm = await ensureBucket(nc);
  // Subject id -> tokens issued at or before this time (ms) are refused; Infinity: all of them.
  const revoked = new Map<string, number>();
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  const info = await jsm.streams.info(STREAM);
  if (info.state.messages === 0) markReady();
  const consumer = await jetstream(nc).consumers.get(STREAM, {
    filter_subjects: [`${PREFIX}>`],
    deliver_policy: DeliverPolicy.LastPerSubject,
  });
  const messages = await consumer.consume();
  const loop = (async () => {
    for await (const m of messages) {
      const key = m.subject.slice(PREFIX.length);
      const op = m.headers?.get('KV-Operation');
      if (op === 'DEL' || op === 'PURGE') revoked.delete(key);
      else revoked.set(key, issuedBeforeOf(m.string()));
      if (m.info.pending === 0) markReady();
    }
  })().catch((err: unknown) => logger?.error({ err }, 'revocation watch ended'));
  return {
    isRevoked: (sub, issuedAt) => {
      const before = revoked.get(sub);
      if (before === undefined) return false;
      return issuedAt === undefined || issuedAt * 1000 <= before;
    },
    ready,
    size: () => revoked.size,
    stop: async () => {
      await messages.close();
      await loop;
    },
  };
}
