import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { AuditFilter, AuditLogRow } from './repo.js';
import type { PublicKeyRing, SignedCheckpoint } from './signing.js';
import { ChainVerifier, type ChainRow, type VerifyReport } from './verify.js';

/**
 * The export formats.
 *
 * JSONL: one JSON object per row (every stored column; `content` is the exact text that was
 * hashed, kept as a string so the file verifies byte for byte), then one closing line
 * `{"checkpoint": {...} | null, "complete": bool, "rows": n, "keyId": ..., "filters": {...}}`.
 * `complete` is false when filters were applied: such a file has gaps by design and verifies
 * in partial mode. A file without the closing line was cut short.
 *
 * CSV: a first line `# tierline-audit-checkpoint {json}` carrying the same closing object
 * (known up front: rows and checkpoint are read in one snapshot), then a header and one
 * record per row. CSV is for spreadsheets; verifiable archives use JSONL.
 */

export const EXPORT_VERSION = 1;

export function exportLine(r: AuditLogRow): string {
  return `${JSON.stringify({
    seq: Number(r.seq),
    eventId: r.event_id,
    type: r.event_type,
    ticketId: r.ticket_id,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    actorRole: r.actor_role,
    occurredAt: r.occurred_at.toISOString(),
    recordedAt: r.recorded_at.toISOString(),
    prevHash: r.prev_hash,
    hash: r.hash,
    content: r.content,
  })}\n`;
}

export interface ExportTrailer {
  checkpoint: SignedCheckpoint | null;
  complete: boolean;
  rows?: number;
  keyId?: string;
  filters?: AuditFilter;
  version?: number;
}

export function trailerLine(t: ExportTrailer): string {
  return `${JSON.stringify({ version: EXPORT_VERSION, ...t })}\n`;
}

export const CSV_COLUMNS = ['seq', 'event_id', 'event_type', 'ticket_id', 'actor_kind', 'actor_id', 'actor_role', 'occurred_at', 'recorded_at', 'prev_hash', 'hash', 'content'] as const;

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(t: ExportTrailer): string {
  return `# tierline-audit-checkpoint ${JSON.stringify({ version: EXPORT_VERSION, ...t })}\r\n${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvRow(r: AuditLogRow): string {
  return `${[
    Number(r.seq),
    r.event_id,
    r.event_type,
    r.ticket_id,
    r.actor_kind,
    r.actor_id,
    r.actor_role,
    r.occurred_at.toISOString(),
    r.recorded_at.toISOString(),
    r.prev_hash,
    r.hash,
    r.content,
  ]
    .map(csvField)
    .join(',')}\r\n`;
}

const ExportRowSchema = z.object({
  seq: z.number().int().positive(),
  eventId: z.string(),
  type: z.string(),
  ticketId: z.string().nullable(),
  actorKind: z.string(),
  actorId: z.string(),
  occurredAt: z.string(),
  prevHash: z.string(),
  hash: z.string(),
  content: z.string(),
});

const CheckpointLineSchema = z.object({
  id: z.number().int().optional(),
  seq: z.number().int().nonnegative(),
  hash: z.string(),
  signedAt: z.string(),
  keyId: z.string(),
  signature: z.string(),
});

const TrailerSchema = z.object({ checkpoint: CheckpointLineSchema.nullable(), complete: z.boolean().default(true) });

function toChainRow(r: z.infer<typeof ExportRowSchema>): ChainRow {
  return {
    seq: r.seq,
    prevHash: r.prevHash,
    hash: r.hash,
    content: r.content,
    columns: { eventId: r.eventId, eventType: r.type, ticketId: r.ticketId, actorKind: r.actorKind, actorId: r.actorId, occurredAt: r.occurredAt },
  };
}

async function* lines(path: string): AsyncGenerator<{ n: number; text: string }> {
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n += 1;
    if (text.trim()) yield { n, text };
  }
}

function broken(reason: string, rowsChecked = 0): VerifyReport {
  return { ok: false, rowsChecked, checkpointsChecked: 0, head: null, partial: false, reason };
}

/**
 * Verifies a JSONL export against the given public keys (not the keys the file names: the
 * file is the thing under suspicion). Two passes: the closing checkpoint must be known before
 * the rows are checked against it.
 */
export async function verifyExportFile(path: string, publicKeys: PublicKeyRing, extraCheckpoints: SignedCheckpoint[] = []): Promise<VerifyReport> {
  let trailer: z.infer<typeof TrailerSchema> | null = null;
  let last: { n: number; text: string } | null = null;
  for await (const l of lines(path)) last = l;
  if (last) {
    try {
      const parsed = JSON.parse(last.text) as Record<string, unknown>;
      if ('checkpoint' in parsed) trailer = TrailerSchema.parse(parsed);
    } catch {
      return broken(`line ${last.n} is not JSON`);
    }
  }
  if (!trailer) return broken('the export has no closing checkpoint line: it was cut short');
  const checkpoints = [...(trailer.checkpoint ? [trailer.checkpoint] : []), ...extraCheckpoints];
  const verifier = new ChainVerifier({ checkpoints, publicKeys, partial: !trailer.complete });
  for await (const l of lines(path)) {
    if (l.n === last!.n) break;
    let row: z.infer<typeof ExportRowSchema>;
    try {
      row = ExportRowSchema.parse(JSON.parse(l.text));
    } catch {
      const report = verifier.finish();
      return { ...report, ok: false, reason: `line ${l.n} is not an audit row`, firstBrokenSeq: (report.head?.seq ?? 0) + 1 };
    }
    if (!verifier.push(toChainRow(row))) break;
  }
  return verifier.finish();
}
