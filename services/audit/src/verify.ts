import { GENESIS_HASH, chainHash } from './chain.js';
import { checkSignature, type PublicKeyRing, type SignedCheckpoint } from './signing.js';

/**
 * The one verification of the audit chain, used by the API, the CLI (database or export file)
 * and the benchmark. Rows are pushed in the order they are stored or exported; nothing but the
 * checkpoints is held in memory, so any chain length fits.
 */

/** One row as stored: position, links and the exact text hashed. */
export interface ChainRow {
  seq: number;
  prevHash: string;
  hash: string;
  content: string;
  /** The indexed columns copied from the content, when the source has them. */
  columns?: RowColumns;
}

/** Columns outside the hash that queries filter on; they must agree with the hashed content. */
export interface RowColumns {
  eventId: string;
  eventType: string;
  ticketId: string | null;
  actorKind: string;
  actorId: string;
  occurredAt: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Rows examined (up to and including the first broken one). */
  rowsChecked: number;
  /** Checkpoints with a valid signature that were compared with the chain. */
  checkpointsChecked: number;
  /** The last row examined. */
  head: { seq: number; hash: string } | null;
  /** True when verifying a filtered export: gaps are expected, so only rows, links between adjacent rows and checkpoints are checked. */
  partial: boolean;
  /** The first row that cannot be trusted. */
  firstBrokenSeq?: number;
  reason?: string;
  /** When a checkpoint is what failed, which one. */
  checkpoint?: { id?: number; seq: number; signedAt: string };
}

export interface VerifyOptions {
  checkpoints: SignedCheckpoint[];
  publicKeys: PublicKeyRing;
  partial?: boolean;
}

interface Failure {
  seq: number;
  reason: string;
  /** Row failures win over checkpoint failures at the same seq: they are more precise. */
  rank: number;
  checkpoint?: SignedCheckpoint;
}

const HEX64 = /^[0-9a-f]{64}$/;

export class ChainVerifier {
  private readonly partial: boolean;
  private readonly trusted: SignedCheckpoint[];
  private readonly failures: Failure[] = [];
  private readonly bySeq = new Map<number, SignedCheckpoint[]>();
  private rowsChecked = 0;
  private checkpointsMatched = 0;
  private expectedSeq = 1;
  private prev: { seq: number; hash: string } | null = null;
  private lastTrustedSeqSeen = 0;
  private rowFailed = false;

  constructor(opts: VerifyOptions) {
    this.partial = opts.partial ?? false;
    this.trusted = [];
    for (const cp of opts.checkpoints) {
      const check = checkSignature(cp, opts.publicKeys);
      if (check !== 'valid') {
        this.failures.push({
          seq: cp.seq,
          rank: 1,
          checkpoint: cp,
          reason:
            check === 'unknown-key'
              ? `${describe(cp)} is signed by key ${cp.keyId}, which is not a known audit key: forged, or signed by a key this verifier was not given`
              : `${describe(cp)} has an invalid signature: it was forged or altered`,
        });
        continue;
      }
      this.trusted.push(cp);
      const list = this.bySeq.get(cp.seq) ?? [];
      list.push(cp);
      this.bySeq.set(cp.seq, list);
    }
    this.trusted.sort((a, b) => a.seq - b.seq);
  }

  /** Feeds the next row; returns false once the chain is broken (later rows prove nothing). */
  push(row: ChainRow): boolean {
    if (this.rowFailed) return false;
    this.rowsChecked += 1;
    const problem = this.partial ? this.checkPartial(row) : this.checkFull(row);
    if (problem) {
      this.rowFailed = true;
      this.failures.push({ ...problem, rank: 0 });
      return false;
    }
    for (const cp of this.bySeq.get(row.seq) ?? []) {
      this.checkpointsMatched += 1;
      if (cp.hash !== row.hash) {
        const from = this.lastTrustedSeqSeen + 1;
        this.failures.push({
          seq: row.seq,
          rank: 1,
          checkpoint: cp,
          reason: `${describe(cp)} signed hash ${cp.hash.slice(0, 12)}… for row ${row.seq}, but row ${row.seq} now has hash ${row.hash.slice(0, 12)}…: rows ${from}–${row.seq} were rewritten and re-hashed after the checkpoint was signed`,
        });
        this.rowFailed = true;
        return false;
      }
      this.lastTrustedSeqSeen = row.seq;
    }
    this.prev = { seq: row.seq, hash: row.hash };
    this.expectedSeq = row.seq + 1;
    return true;
  }

  private checkFull(row: ChainRow): Omit<Failure, 'rank'> | null {
    const expected = this.expectedSeq;
    if (row.seq !== expected) {
      const after = this.prev ? `row ${this.prev.seq}` : 'the start of the chain';
      return row.seq > expected
        ? { seq: expected, reason: `row ${expected} is missing: row ${row.seq} follows ${after} (deleted, or rows out of order)` }
        : { seq: expected, reason: `row ${expected} is missing or out of place: row ${row.seq} appears again after ${after} (rows reordered or duplicated)` };
    }
    const prevHash = this.prev?.hash ?? GENESIS_HASH;
    if (row.prevHash !== prevHash) {
      return {
        seq: row.seq,
        reason:
          row.seq === 1
            ? `row 1 does not start from the genesis hash`
            : `row ${row.seq} does not link to row ${row.seq - 1}: its prev_hash is not row ${row.seq - 1}'s hash (a row was removed, replaced or moved here)`,
      };
    }
    return this.checkOwn(row);
  }

  private checkPartial(row: ChainRow): Omit<Failure, 'rank'> | null {
    if (this.prev && row.seq <= this.prev.seq) {
      return { seq: row.seq, reason: `row ${row.seq} appears after row ${this.prev.seq}: rows out of order or duplicated` };
    }
    if (this.prev && row.seq === this.prev.seq + 1 && row.prevHash !== this.prev.hash) {
      return { seq: row.seq, reason: `row ${row.seq} does not link to row ${this.prev.seq}: its prev_hash is not row ${this.prev.seq}'s hash` };
    }
    return this.checkOwn(row);
  }

  /** The row's own hash and its indexed columns. */
  private checkOwn(row: ChainRow): Omit<Failure, 'rank'> | null {
    if (!HEX64.test(row.hash) || chainHash(row.prevHash, row.seq, row.content) !== row.hash) {
      return { seq: row.seq, reason: `row ${row.seq} was altered: its content does not hash to its stored hash` };
    }
    if (row.columns) {
      const mismatch = columnMismatch(row.content, row.columns);
      if (mismatch) return { seq: row.seq, reason: `row ${row.seq} was altered: its ${mismatch} column disagrees with its hashed content` };
    }
    return null;
  }

  /** A finding from outside the chain itself (e.g. a checkpoint kept elsewhere that the database lacks). */
  addFailure(seq: number, reason: string, checkpoint?: SignedCheckpoint): void {
    this.failures.push({ seq, reason, rank: 1, ...(checkpoint ? { checkpoint } : {}) });
  }

  finish(): VerifyReport {
    // Checkpoints beyond the last row: the tail was cut off (only knowable on a full chain that
    // was read to its end).
    if (!this.partial && !this.rowFailed) {
      const headSeq = this.prev?.seq ?? 0;
      const beyond = this.trusted.filter((cp) => cp.seq > headSeq);
      const furthest = beyond.at(-1);
      if (furthest) {
        this.checkpointsMatched += beyond.length;
        this.failures.push({
          seq: headSeq + 1,
          rank: 1,
          checkpoint: furthest,
          reason: `the chain ends at row ${headSeq}, but ${describe(furthest)} covers row ${furthest.seq}: rows ${headSeq + 1}–${furthest.seq} were removed`,
        });
      }
    }
    const base = { rowsChecked: this.rowsChecked, checkpointsChecked: this.checkpointsMatched, head: this.prev, partial: this.partial };
    const first = [...this.failures].sort((a, b) => a.seq - b.seq || a.rank - b.rank)[0];
    if (!first) return { ok: true, ...base };
    return {
      ok: false,
      ...base,
      firstBrokenSeq: first.seq,
      reason: first.reason,
      ...(first.checkpoint
        ? { checkpoint: { ...(first.checkpoint.id !== undefined ? { id: first.checkpoint.id } : {}), seq: first.checkpoint.seq, signedAt: first.checkpoint.signedAt } }
        : {}),
    };
  }
}

function describe(cp: SignedCheckpoint): string {
  return `checkpoint ${cp.id !== undefined ? `#${cp.id} ` : ''}(row ${cp.seq}, signed ${cp.signedAt})`;
}

function columnMismatch(content: string, cols: RowColumns): string | null {
  let e: { id?: unknown; type?: unknown; ticketId?: unknown; actor?: { kind?: unknown; id?: unknown }; occurredAt?: unknown };
  try {
    e = JSON.parse(content) as typeof e;
  } catch {
    return 'content';
  }
  if (e.id !== cols.eventId) return 'event_id';
  if (e.type !== cols.eventType) return 'event_type';
  if ((e.ticketId ?? null) !== cols.ticketId) return 'ticket_id';
  if (e.actor?.kind !== cols.actorKind) return 'actor_kind';
  if (e.actor?.id !== cols.actorId) return 'actor_id';
  // The column is a timestamptz (microseconds); compare at the millisecond both sides keep.
  if (typeof e.occurredAt !== 'string' || Date.parse(e.occurredAt) !== Date.parse(cols.occurredAt)) return 'occurred_at';
  return null;
}

/** Verifies rows from any (async) iterable, stopping at the first break. */
export async function verifyRows(rows: Iterable<ChainRow> | AsyncIterable<ChainRow>, opts: VerifyOptions): Promise<VerifyReport> {
  const v = new ChainVerifier(opts);
  for await (const row of rows) {
    if (!v.push(row)) break;
  }
  return v.finish();
}
