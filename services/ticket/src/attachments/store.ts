import { createHash, randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, type ActorRef, type EventEnvelope } from '@tierline/contracts';
import { AppError, type Logger } from '@tierline/platform';
import {
  attachmentOutbox,
  attachmentState,
  claimAbandonedAttachments,
  deleteAbandonedAttachment,
  findAttachment,
  findTicket,
  insertPendingAttachment,
  markAttachmentStored,
  type StoredAttachment,
} from '@tierline/ticket-store';
import type { TicketDeps } from '../deps.js';
import { cleanFileName, inspectFile } from './content.js';
import type { ObjectStore } from './object-store.js';

/** Size and count limits of attachments (env ATTACHMENT_MAX_BYTES, ATTACHMENTS_PER_TICKET). */
export interface AttachmentLimits {
  maxBytes: number;
  maxPerTicket: number;
}

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = { maxBytes: 10 * 1024 * 1024, maxPerTicket: 20 };

export function attachmentLimits(deps: Pick<TicketDeps, 'attachmentLimits'>): AttachmentLimits {
  return { ...DEFAULT_ATTACHMENT_LIMITS, ...deps.attachmentLimits };
}

export function objectStoreOf(deps: Pick<TicketDeps, 'objects'>): ObjectStore {
  if (!deps.objects) throw new AppError('UNAVAILABLE', 'attachments are not available: no object store is configured');
  return deps.objects;
}

export interface NewAttachmentInput {
  ticketId: string;
  fileName: string;
  bytes: Buffer;
  /** Who adds the file: a person (the route's caller), or the system on someone's behalf (an email). */
  uploadedBy: ActorRef;
  /** Whether the vendor may see it from the start (a vendor's own upload); IT may change it. */
  vendorVisible?: boolean;
  /**
   * The attachment's id when the caller derives it from its source (one file of one mail), which
   * makes the call idempotent: the same id again returns the attachment stored the first time, or
   * finishes the upload a crash interrupted. Without it, every call is a new attachment.
   */
  id?: string;
}

const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;

/**
 * Stores one attachment of a ticket: the one way a file becomes an attachment, for the upload
 * route and for any other source (email). It does not check who may attach: the caller does.
 *
 * 1. The content decides the type (allow-list) and photos lose their metadata (content.ts).
 * 2. A `pending` row, if the ticket has room (its row locked while counting).
 * 3. The object is put under a key made of ids only (never the file name).
 * 4. The row becomes `stored`, with its `ticket.attachment_added` event in the same transaction.
 *
 * A crash between 2 and 4 leaves a pending row, invisible to everyone, which the sweeper removes
 * with its object (sweepAbandonedAttachments); nothing is shown before 4, so nothing shown can
 * point at a missing object. Refusals are AppErrors naming the file: 413 too large, 415 a type
 * not accepted, 422 empty or damaged or the ticket full, 404 no such ticket.
 */
export async function storeAttachment(
  deps: Pick<TicketDeps, 'sql' | 'js' | 'logger' | 'objects' | 'attachmentLimits'>,
  input: NewAttachmentInput,
): Promise<StoredAttachment> {
  const objects = objectStoreOf(deps);
  const limits = attachmentLimits(deps);
  const fileName = cleanFileName(input.fileName);
  if (input.bytes.byteLength > limits.maxBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `${fileName} is ${mb(input.bytes.byteLength)}; the largest file Tierline accepts is ${mb(limits.maxBytes)}`);
  }
  const ticket = await findTicket(deps.sql, input.ticketId);
  if (!ticket) throw new AppError('NOT_FOUND', `no ticket ${input.ticketId}`);
  const id = input.id ?? randomUUID();
  const prior = input.id ? await attachmentState(deps.sql, id) : null;
  if (prior && prior.ticketId !== ticket.id) throw new AppError('CONFLICT', `attachment ${id} belongs to another ticket`);
  if (prior?.state === 'stored') return readBack(deps, ticket.id, id);
  // Given up by the sweeper: its row goes shortly, and the next attempt starts afresh.
  if (prior?.state === 'abandoned') throw new AppError('UNAVAILABLE', `${fileName} is being cleaned up after an interrupted upload; please retry`);
  const { contentType, bytes } = await inspectFile(fileName, input.bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const objectKey = `tickets/${ticket.id}/${id}`;
  const vendorVisible = input.vendorVisible ?? false;
  const placed = await insertPendingAttachment(
    deps.sql,
    {
      id,
      ticketId: ticket.id,
      objectKey,
      fileName,
      contentType,
      sizeBytes: bytes.byteLength,
      sha256,
      uploadedBy: input.uploadedBy.id,
      uploadedByRole: input.uploadedBy.kind === 'user' ? input.uploadedBy.role : 'system',
      vendorVisible,
    },
    limits.maxPerTicket,
  );
  if (placed === 'missing') throw new AppError('NOT_FOUND', `no ticket ${input.ticketId}`);
  // 'exists': an earlier attempt with this id wrote its pending row and died (or runs still); this
  // one puts the same object under the same key and marks it stored, whichever gets there first.
  if (placed === 'full') {
    throw new AppError('UNPROCESSABLE', `${fileName} was not added: ${ticket.number} already has ${limits.maxPerTicket} attachments, the most a ticket may have`);
  }
  try {
    await objects.put(objectKey, bytes, contentType, sha256);
  } catch (err) {
    deps.logger.error({ err, attachmentId: id }, 'attachment not stored: the object store refused it or is unreachable');
    // The pending row stays for the sweeper, which also removes any part of the object that landed.
    throw new AppError('UNAVAILABLE', `${fileName} could not be stored right now; please retry`);
  }
  const event: EventEnvelope = {
    id: randomUUID(),
    type: 'ticket.attachment_added',
    occurredAt: new Date().toISOString(),
    actor: input.uploadedBy,
    ticketId: ticket.id,
    data: { number: ticket.number, attachmentId: id, contentType, sizeBytes: bytes.byteLength, vendorVisible },
    schemaVersion: EVENT_SCHEMA_VERSION,
  };
  if (!(await markAttachmentStored(deps.sql, id, event))) {
    // Another attempt with the same id stored it first: same key, same bytes; nothing to undo.
    if (input.id && (await attachmentState(deps.sql, id))?.state === 'stored') return readBack(deps, ticket.id, id);
    // The sweeper gave this upload up while it ran (far past ATTACHMENT_PENDING_MINUTES).
    await objects.remove(objectKey).catch((err: unknown) => deps.logger.warn({ err, attachmentId: id }, 'object of a given-up upload not removed'));
    throw new AppError('UNAVAILABLE', `${fileName} took too long to store and was given up; please retry`);
  }
  await attachmentOutbox.publish(deps.sql, deps.js, event, deps.logger);
  return readBack(deps, ticket.id, id);
}

async function readBack(deps: Pick<TicketDeps, 'sql'>, ticketId: string, id: string): Promise<StoredAttachment> {
  const stored = await findAttachment(deps.sql, ticketId, id);
  if (!stored) throw new Error(`attachment ${id} was stored but cannot be read back`);
  return stored;
}

/**
 * Removes uploads that died on the way: pending rows older than `olderThanMs`, and their objects
 * if any landed. The row is claimed first (so the dying upload can no longer be marked stored),
 * then the object removed, then the row; a sweep that dies midway is finished by the next one.
 * Returns how many were removed.
 */
export async function sweepAbandonedAttachments(deps: { sql: TicketDeps['sql']; objects: ObjectStore; logger: Logger }, olderThanMs: number): Promise<number> {
  let removed = 0;
  for (;;) {
    const batch = await claimAbandonedAttachments(deps.sql, new Date(Date.now() - olderThanMs));
    if (batch.length === 0) return removed;
    for (const a of batch) {
      try {
        await deps.objects.remove(a.objectKey);
      } catch (err) {
        deps.logger.warn({ err, attachmentId: a.id }, 'abandoned attachment: object not removed yet; next sweep retries');
        return removed;
      }
      if (await deleteAbandonedAttachment(deps.sql, a.id)) removed += 1;
    }
  }
}

/** Sweeps now and every `everyMs` until stopped; a failed sweep is logged and retried at the next tick. */
export function startSweeping(deps: { sql: TicketDeps['sql']; objects: ObjectStore; logger: Logger }, olderThanMs: number, everyMs = 60_000): { stop: () => Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = sweepAbandonedAttachments(deps, olderThanMs)
      .then((n) => {
        if (n > 0) deps.logger.info({ removed: n }, 'abandoned attachment uploads removed');
      })
      .catch((err: unknown) => deps.logger.warn({ err }, 'attachment sweep failed; retried at the next tick'));
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
