import { createHash } from 'node:crypto';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy, type StreamConfig } from '@nats-io/jetstream';
import type { Logger, NatsConnection, Sql } from '@tierline/platform';
import { latestCheckpoint } from './repo.js';
import { z } from 'zod';
import type { SignedCheckpoint } from './signing.js';

/**
 * Signed checkpoints kept outside the audited database (docs/decisions/0021): every checkpoint
 * the service signs is also published to an append-only JetStream stream. Someone with full
 * rights on PostgreSQL can rewrite rows, re-hash them and delete the checkpoints there, but not
 * this copy; verify compares the newest checkpoint found here with the database.
 */
export const AUDIT_ANCHOR_STREAM = 'TIERLINE_AUDIT_CHECKPOINTS';
export const AUDIT_ANCHOR_SUBJECT = 'tierline.audit.checkpoints';
/** Checkpoint interval (10 s) + checkpointer tick (5 s) + slack (60 s), the service's defaults. */
export const DEFAULT_MAX_UNANCHORED_MS = 75_000;

/** A checkpoint as the stream holds it, with the time the NATS server stored it (not the database's clock). */
export interface AnchoredCheckpoint extends SignedCheckpoint {
  anchoredAt: string;
  /** Its position in the stream. */
  streamSeq: number;
}

export interface CheckpointAnchors {
  /**
   * Appends a checkpoint, provided the newest one is still the one at stream position `after`
   * (0: none), so replicas never anchor an older checkpoint over a newer one. Publishing the
   * same one twice stores it once.
   */
  publish(cp: SignedCheckpoint, after: number): Promise<void>;
  /** The newest anchored checkpoint, or null when none was ever anchored. */
  newest(): Promise<AnchoredCheckpoint | null>;
}

/** No deletes, no purges, no age or size limit: the stream only grows. */
export function anchorStreamConfig(stream = AUDIT_ANCHOR_STREAM, subject = AUDIT_ANCHOR_SUBJECT): Partial<StreamConfig> & { name: string } {
  return {
    name: stream,
    subjects: [subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    max_age: 0,
    max_msgs: -1,
    max_bytes: -1,
    deny_delete: true,
    deny_purge: true,
    allow_rollup_hdrs: false,
  };
}

const AnchoredSchema = z.object({
  seq: z.number().int().nonnegative(),
  hash: z.string(),
  signedAt: z.string(),
  keyId: z.string(),
  signature: z.string(),
});

/**
 * Declares the stream (created when missing; an existing one must already refuse deletes and
 * purges, since the audit user may not change a stream's configuration) and returns its two
 * operations.
 */
export async function createCheckpointAnchors(nc: NatsConnection, opts: { stream?: string; subject?: string } = {}): Promise<CheckpointAnchors> {
  const cfg = anchorStreamConfig(opts.stream, opts.subject);
  const subject = cfg.subjects![0]!;
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(cfg.name).catch((err: unknown) => {
    const e = err as { api_error?: { err_code?: number }; message?: string };
    if (e?.api_error?.err_code === 10059 || /stream not found/i.test(e?.message ?? '')) return null;
    throw err;
  });
  if (!info) {
    await jsm.streams.add(cfg).catch(async (err: unknown) => {
      // Another replica created it meanwhile.
      if (!(await jsm.streams.info(cfg.name).then(() => true, () => false))) throw err;
    });
  } else if (!info.config.deny_delete || !info.config.deny_purge || info.config.max_age !== 0) {
    throw new Error(
      `JetStream stream ${cfg.name} exists but allows deleting, purging or ageing out checkpoints; an operator must recreate it append-only (docs/deployment.md)`,
    );
  }
  const js = jetstream(nc);
  return {
    async publish(cp, after) {
      const body = { seq: cp.seq, hash: cp.hash, signedAt: cp.signedAt, keyId: cp.keyId, signature: cp.signature };
      const msgID = createHash('sha256').update(`${cp.seq}\n${cp.hash}\n${cp.signedAt}\n${cp.signature}`).digest('hex');
      await js.publish(subject, JSON.stringify(body), { msgID, timeout: 10_000, expect: { lastSubjectSequence: after } });
    },
    async newest() {
      const msg = await jsm.streams.getMessage(cfg.name, { last_by_subj: subject }).catch((err: unknown) => {
        const e = err as { api_error?: { err_code?: number }; message?: string };
        if (e?.api_error?.err_code === 10037 || /no message found/i.test(e?.message ?? '')) return null;
        throw err;
      });
      if (!msg) return null;
      return { ...AnchoredSchema.parse(msg.json()), anchoredAt: msg.time.toISOString(), streamSeq: msg.seq };
    },
  };
}

export const sameCheckpoint = (a: SignedCheckpoint, b: SignedCheckpoint): boolean =>
  a.seq === b.seq && a.hash === b.hash && a.signature === b.signature && Date.parse(a.signedAt) === Date.parse(b.signedAt);

export type AnchorOutcome = 'anchored' | 'current' | 'refused' | 'empty';

/**
 * Publishes the database's latest checkpoint unless the stream has it (or a newer one) already.
 * Refuses when the database no longer holds the row the newest anchored checkpoint signed: the
 * log was cut or rewritten behind the service's back, and anchoring the new state would hide it.
 */
export async function anchorLatest(sql: Sql, anchors: CheckpointAnchors, logger: Logger): Promise<AnchorOutcome> {
  const latest = await latestCheckpoint(sql);
  if (!latest) return 'empty';
  const newest = await anchors.newest();
  if (newest) {
    if (sameCheckpoint(newest, latest)) return 'current';
    const [row] = await sql<{ hash: string }[]>`select hash from audit_log where seq = ${newest.seq}`;
    if (row?.hash !== newest.hash) {
      logger.error(
        { anchoredSeq: newest.seq, anchoredAt: newest.anchoredAt },
        'audit log contradicts its newest anchored checkpoint (row missing or re-hashed): not anchoring over it; run verify',
      );
      return 'refused';
    }
    if (latest.seq < newest.seq) return 'current';
  }
  await anchors.publish(latest, newest?.streamSeq ?? 0);
  return 'anchored';
}
