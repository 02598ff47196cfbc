import { errorResponse } from '@tierline/platform';
import { z } from '@hono/zod-openapi';
import type { AuditLogRow } from '../repo.js';
import type { SignedCheckpoint } from '../signing.js';

/** Error responses every authenticated route documents. */
export const authErrorResponses = {
  ...errorResponse(401, 'Missing, expired or invalid access token'),
  ...errorResponse(403, 'Authenticated, but not an IT lead or auditor'),
};

export const badRequestResponse = {
  ...errorResponse(400, 'Invalid request; `details` names each field'),
};

/** `ticket.created`, or a prefix `ticket.*` (also `ticket.sla.*`). */
const TYPE_FILTER = /^[a-z][a-z_]*(\.[a-z][a-z_]*)*(\.\*)?$/;

export const AuditFilterQuerySchema = z.object({
  ticketId: z.uuid().optional().openapi({ description: 'Only events of this ticket.' }),
  actorId: z.string().min(1).max(200).optional().openapi({ description: 'Only events by this actor (user id or system component).' }),
  type: z
    .string()
    .max(200)
    .regex(TYPE_FILTER, 'an event type like "ticket.created", or a prefix like "ticket.*"')
    .optional()
    .openapi({ description: 'Exact event type, or a prefix ending in `.*`.', example: 'ticket.*' }),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'occurredAt at or after this instant.' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'occurredAt before this instant.' }),
});

export const CheckpointSchema = z
  .object({
    id: z.number().int().optional(),
    seq: z.number().int().nonnegative().openapi({ description: 'Chain head (row seq) that was signed.' }),
    hash: z.string().regex(/^[0-9a-f]{64}$/).openapi({ description: 'Hash of that row.' }),
    signedAt: z.iso.datetime({ offset: true }),
    keyId: z.string().min(1).max(64),
    signature: z.string().min(1).max(200).openapi({ description: 'Base64 Ed25519 signature over `tierline-audit-checkpoint/v1\\n<seq>\\n<hash>\\n<signedAt>`.' }),
  })
  .openapi('AuditCheckpoint');

export const AuditEntrySchema = z
  .object({
    seq: z.number().int().positive(),
    eventId: z.uuid(),
    type: z.string(),
    ticketId: z.uuid().nullable(),
    actor: z.object({ kind: z.string(), id: z.string(), role: z.string().nullable() }),
    occurredAt: z.string(),
    recordedAt: z.string(),
    event: z.record(z.string(), z.unknown()).openapi({ description: 'The event envelope as recorded.' }),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi('AuditEntry');
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const VerifyReportSchema = z
  .object({
    ok: z.boolean(),
    rowsChecked: z.number().int(),
    checkpointsChecked: z.number().int(),
    head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
    partial: z.boolean(),
    firstBrokenSeq: z.number().int().optional().openapi({ description: 'The first row that cannot be trusted.' }),
    reason: z.string().optional(),
    checkpoint: z.object({ id: z.number().int().optional(), seq: z.number().int(), signedAt: z.string() }).optional(),
  })
  .openapi('AuditVerifyReport');

export function toEntry(r: AuditLogRow): AuditEntry {
  return {
    seq: Number(r.seq),
    eventId: r.event_id,
    type: r.event_type,
    ticketId: r.ticket_id,
    actor: { kind: r.actor_kind, id: r.actor_id, role: r.actor_role },
    occurredAt: r.occurred_at.toISOString(),
    recordedAt: r.recorded_at.toISOString(),
    event: JSON.parse(r.content) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export function checkpointJson(cp: SignedCheckpoint) {
  return { ...(cp.id !== undefined ? { id: cp.id } : {}), seq: cp.seq, hash: cp.hash, signedAt: cp.signedAt, keyId: cp.keyId, signature: cp.signature };
}
