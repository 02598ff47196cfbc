import type { Logger, Sql } from '@tierline/platform';
import { anchorLatest, type CheckpointAnchors } from './anchor.js';
import { createCheckpoint } from './repo.js';
import type { AuditSigner } from './signing.js';

/**
 * When the head is signed. With no checkpoint yet, any head is due (the first tick signs it,
 * however few rows it covers); after that, only `everyRows` rows later or `everyMs` later.
 */
export interface CheckpointPolicy {
  /** Sign once this many rows were appended since the last checkpoint. */
  everyRows: number;
  /** Sign when the head moved and the last checkpoint is older than this. */
  everyMs: number;
  /** How often the policy is evaluated; defaults to min(everyMs, 5 s). */
  tickMs?: number;
}

/**
 * Signs the chain head on a schedule, and anchors the latest checkpoint outside the database
 * (`anchors`, the append-only JetStream stream). The decision reads the database, not an in-memory
 * counter, so any number of replicas can run it: the append lock and the "head already signed"
 * check in createCheckpoint keep them from signing the same head twice.
 */
export function startCheckpointer(opts: { sql: Sql; signer: AuditSigner; logger: Logger; policy: CheckpointPolicy; anchors?: CheckpointAnchors }) {
  const tickMs = opts.policy.tickMs ?? Math.min(opts.policy.everyMs, 5_000);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const due = async (): Promise<boolean> => {
    const [row] = await opts.sql<{ head: string | null; seq: string | null; age_ms: number | null }[]>`
      select (select max(seq) from audit_log) as head, cp.seq,
             (extract(epoch from (now() - cp.signed_at)) * 1000)::float8 as age_ms
      from (select 1) one
      left join lateral (select seq, signed_at from audit_checkpoints order by seq desc, id desc limit 1) cp on true`;
    if (!row?.head) return false;
    const head = Number(row.head);
    if (row.seq === null) return true;
    const behind = head - Number(row.seq);
    if (behind <= 0) return false;
    return behind >= opts.policy.everyRows || (row.age_ms ?? Infinity) >= opts.policy.everyMs;
  };

  // Every tick, not only after signing: an anchoring that failed (NATS away) is retried.
  const anchor = async () => {
    if (!opts.anchors) return;
    try {
      await anchorLatest(opts.sql, opts.anchors, opts.logger);
    } catch (err) {
      opts.logger.warn({ err }, 'audit checkpoint anchoring failed');
    }
  };

  const tick = async () => {
    try {
      if (await due()) {
        const { checkpoint, created } = await createCheckpoint(opts.sql, opts.signer);
        if (created && checkpoint) opts.logger.info({ seq: checkpoint.seq, checkpointId: checkpoint.id }, 'audit checkpoint signed');
      }
    } catch (err) {
      // The next tick retries; a missed checkpoint only widens the window verify cannot see.
      opts.logger.warn({ err }, 'audit checkpoint failed');
    }
    await anchor();
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, tickMs);
  };
  schedule();

  return {
    /** Stops the schedule and signs the head one last time, so a clean shutdown leaves it covered. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      try {
        await createCheckpoint(opts.sql, opts.signer);
      } catch (err) {
        opts.logger.warn({ err }, 'final audit checkpoint failed');
      }
      await anchor();
    },
  };
}
