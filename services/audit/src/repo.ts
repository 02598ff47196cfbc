import type { TransactionSql } from 'postgres';
import type { Sql } from '@tierline/platform';
import { CHAIN_LOCK } from './store.js';
import { sameCheckpoint, type AnchoredCheckpoint } from './anchor.js';
import type { AuditSigner, SignedCheckpoint } from './signing.js';
import type { ChainRow } from './verify.js';
import { ChainVerifier, type VerifyReport } from './verify.js';
import type { PublicKeyRing } from './signing.js';

/** The pool or a transaction of it. */
export type Db = Sql | TransactionSql;

/** Everything a read of the audit log can be narrowed by. */
export interface AuditFilter {
  ticketId?: string | undefined;
  actorId?: string | undefined;
  /** Exact type, or a prefix written `ticket.*`. */
  type?: string | undefined;
  /** occurred_at >= from (inclusive). */
  from?: string | undefined;
  /** occurred_at < to (exclusive). */
  to?: string | undefined;
}

export function isFiltered(f: AuditFilter): boolean {
  return Boolean(f.ticketId ?? f.actorId ?? f.type ?? f.from ?? f.to);
}

export interface AuditLogRow {
  seq: string;
  event_id: string;
  event_type: string;
  ticket_id: string | null;
  actor_kind: string;
  actor_id: string;
  actor_role: string | null;
  occurred_at: Date;
  recorded_at: Date;
  content: string;
  prev_hash: string;
  hash: string;
}

/** The where-clause of a filter; `sql` may be a transaction. */
export function whereFilter(sql: Db, f: AuditFilter, afterSeq = 0) {
  const prefix = f.type?.endsWith('.*') ? f.type.slice(0, -1) : undefined;
  return sql`
    where seq > ${afterSeq}
    ${f.ticketId ? sql`and ticket_id = ${f.ticketId}` : sql``}
    ${f.actorId ? sql`and actor_id = ${f.actorId}` : sql``}
    ${prefix ? sql`and starts_with(event_type, ${prefix})` : f.type ? sql`and event_type = ${f.type}` : sql``}
    ${f.from ? sql`and occurred_at >= ${f.from}` : sql``}
    ${f.to ? sql`and occurred_at < ${f.to}` : sql``}`;
}

export function toChainRow(r: AuditLogRow): ChainRow {
  return {
    seq: Number(r.seq),
    prevHash: r.prev_hash,
    hash: r.hash,
    content: r.content,
    columns: {
      eventId: r.event_id,
      eventType: r.event_type,
      ticketId: r.ticket_id,
      actorKind: r.actor_kind,
      actorId: r.actor_id,
      occurredAt: r.occurred_at.toISOString(),
    },
  };
}

interface CheckpointRow {
  id: string;
  seq: string;
  hash: string;
  signed_at: Date;
  key_id: string;
  signature: string;
}

function toCheckpoint(r: CheckpointRow): SignedCheckpoint {
  return { id: Number(r.id), seq: Number(r.seq), hash: r.hash, signedAt: r.signed_at.toISOString(), keyId: r.key_id, signature: r.signature };
}

export async function latestCheckpoint(sql: Db): Promise<SignedCheckpoint | null> {
  const [row] = await sql<CheckpointRow[]>`select * from audit_checkpoints order by seq desc, id desc limit 1`;
  return row ? toCheckpoint(row) : null;
}

/** Newest first. */
export async function listCheckpoints(sql: Db, limit?: number): Promise<SignedCheckpoint[]> {
  const rows = await sql<CheckpointRow[]>`select * from audit_checkpoints order by seq desc, id desc ${limit ? sql`limit ${limit}` : sql``}`;
  return rows.map(toCheckpoint);
}

export async function chainHead(sql: Db): Promise<{ seq: number; hash: string } | null> {
  const [row] = await sql<{ seq: string; hash: string }[]>`select seq, hash from audit_log order by seq desc limit 1`;
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

/**
 * Signs the current chain head. Holds the append lock so the head cannot move meanwhile, and
 * returns the latest checkpoint instead of a new one when nothing was appended since.
 */
export async function createCheckpoint(sql: Sql, signer: AuditSigner): Promise<{ checkpoint: SignedCheckpoint | null; created: boolean }> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${CHAIN_LOCK}))`;
    const head = await chainHead(tx);
    const latest = await latestCheckpoint(tx);
    if (!head) return { checkpoint: latest, created: false };
    if (latest && latest.seq === head.seq) return { checkpoint: latest, created: false };
    const signed = signer.sign({ seq: head.seq, hash: head.hash, signedAt: new Date().toISOString() });
    const [row] = await tx<CheckpointRow[]>`
      insert into audit_checkpoints (seq, hash, signed_at, key_id, signature)
      values (${signed.seq}, ${signed.hash}, ${signed.signedAt}, ${signed.keyId}, ${signed.signature})
      returning *`;
    return { checkpoint: toCheckpoint(row!), created: true };
  });
}

const ROW_COLUMNS = ['seq', 'event_id', 'event_type', 'ticket_id', 'actor_kind', 'actor_id', 'actor_role', 'occurred_at', 'recorded_at', 'content', 'prev_hash', 'hash'];

/**
 * Streams rows in seq order in batches from a server-side cursor; `sql` should be a
 * transaction so the rows belong to one snapshot.
 */
export async function* streamRows(sql: Db, f: AuditFilter = {}, batch = 2_000): AsyncGenerator<AuditLogRow[]> {
  for await (const rows of sql<AuditLogRow[]>`select ${sql(ROW_COLUMNS)} from audit_log ${whereFilter(sql, f)} order by seq`.cursor(batch)) {
    yield rows;
  }
}

export async function listRows(sql: Db, f: AuditFilter, afterSeq: number, limit: number): Promise<AuditLogRow[]> {
  return sql<AuditLogRow[]>`select ${sql(ROW_COLUMNS)} from audit_log ${whereFilter(sql, f, afterSeq)} order by seq limit ${limit}`;
}

/** What verify learnt outside the database: the newest anchored checkpoint and how stale the head may be. */
export interface OutsideAnchor {
  /** The newest checkpoint of the append-only stream (null: none anchored yet). */
  newest: AnchoredCheckpoint | null;
  /** Rows recorded longer ago than this must be covered by an anchored checkpoint. */
  maxUnanchoredMs: number;
  now?: Date;
}

/**
 * Verifies the whole chain and every stored checkpoint (plus `anchors`: checkpoints kept
 * elsewhere, which catch a tail cut off together with its checkpoints) in one consistent,
 * read-only snapshot. With `outside` (the anchored checkpoints' stream), also that its newest
 * checkpoint is stored in the database too and matches, and that no row older than the
 * checkpoint interval allows lies beyond it.
 */
export async function verifyDatabase(
  sql: Sql,
  opts: { publicKeys: PublicKeyRing; anchors?: SignedCheckpoint[]; outside?: OutsideAnchor },
): Promise<VerifyReport> {
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const stored = await listCheckpoints(tx);
    const newest = opts.outside?.newest ?? null;
    const newestInside = newest ? stored.some((cp) => sameCheckpoint(cp, newest)) : false;
    // The anchored checkpoint is checked against the chain like any other (once, when it is stored too).
    const checkpoints = [...stored, ...(opts.anchors ?? []), ...(newest && !newestInside ? [newest] : [])];
    const verifier = new ChainVerifier({ checkpoints, publicKeys: opts.publicKeys });
    outer: for await (const rows of streamRows(tx)) {
      for (const r of rows) if (!verifier.push(toChainRow(r))) break outer;
    }
    if (opts.outside) {
      if (newest && !newestInside) {
        verifier.addFailure(
          newest.seq,
          `the newest checkpoint kept outside the database (row ${newest.seq}, signed ${newest.signedAt}, anchored ${newest.anchoredAt}) is missing from audit_checkpoints: checkpoints were deleted, and rows up to ${newest.seq} may have been rewritten`,
          newest,
        );
      }
      const after = newest?.seq ?? 0;
      const [first] = await tx<{ seq: string; recorded_at: Date; head: string }[]>`
        select seq, recorded_at, (select max(seq) from audit_log) as head from audit_log where seq > ${after} order by seq limit 1`;
      const now = opts.outside.now ?? new Date();
      if (first && now.getTime() - first.recorded_at.getTime() > opts.outside.maxUnanchoredMs) {
        verifier.addFailure(
          Number(first.seq),
          `rows ${first.seq}–${first.head} are covered by no checkpoint kept outside the database, though row ${first.seq} was recorded at ${first.recorded_at.toISOString()}, longer ago than the checkpoint interval allows (${Math.round(opts.outside.maxUnanchoredMs / 1000)} s): the checkpointer stopped anchoring, or the log's tail was cut and rewritten`,
        );
      }
    }
    return verifier.finish();
  });
}
