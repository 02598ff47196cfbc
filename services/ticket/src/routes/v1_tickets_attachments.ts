import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import {
  ATTACHMENT_CONTENT_TYPES,
  AttachmentListSchema,
  AttachmentSchema,
  AttachmentVisibilityBodySchema,
  EVENT_SCHEMA_VERSION,
  TICKET_ATTACHMENT_READ,
  type Attachment,
} from '@tierline/contracts';
import { AppError, errorResponse, hasRole, publishEvent } from '@tierline/platform';
import { attachmentOutbox, findAttachment, findTicket, listAttachments, setAttachmentVendorVisible, type StoredAttachment } from '@tierline/ticket-store';
import type { TicketAppEnv } from '../deps.js';
import { canReadTicket, isVendorView, readableTicket, ticketReadAccess } from '../access.js';
import { attachmentLimits, objectStoreOf, storeAttachment } from '../attachments/store.js';
import { actorRef } from './v1_policies_common.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';

/**
 * A ticket's attachments (docs/decisions/0037): those who may read the ticket list and download
 * them; those who work or reported it add them; IT decides which ones the vendor may see. Every
 * download is recorded in the audit trail before its first byte leaves.
 */
const params = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
const oneParams = params.extend({ attachmentId: z.uuid().openapi({ param: { name: 'attachmentId', in: 'path' } }) });

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}/attachments',
  tags: ['Tickets'],
  summary: "The ticket's attachments, and the limits of new ones",
  description: 'A vendor sees only those IT marked for it. The read is recorded like any ticket read (`ticket.content_read`).',
  security: [{ bearerAuth: [] }],
  request: { params },
  responses: {
    200: { description: 'Attachments, oldest first', content: { 'application/json': { schema: AttachmentListSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...unavailableResponse,
  },
});

const uploadRoute = createRoute({
  method: 'post',
  path: '/api/v1/tickets/{id}/attachments',
  tags: ['Tickets'],
  summary: 'Attach a file (multipart/form-data, field `file`)',
  description:
    `One file per request. Accepted by content, whatever its name: ${ATTACHMENT_CONTENT_TYPES.join(', ')}. ` +
    'Photos are stored without location and camera metadata. A refused file gets 413 (too large), 415 (a type not accepted) ' +
    'or 422 (empty, damaged, or the ticket has as many attachments as it may), with a message naming the file.',
  security: [{ bearerAuth: [] }],
  request: {
    params,
    body: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: z.object({ file: z.any().openapi({ type: 'string', format: 'binary', description: 'The file' }) }),
        },
      },
    },
  },
  responses: {
    201: { description: 'Attached', content: { 'application/json': { schema: AttachmentSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...errorResponse(413, 'The file is larger than the limit'),
    ...errorResponse(415, 'The content is not of an accepted type'),
    ...errorResponse(422, 'The file is empty or damaged, or the ticket has no room for it'),
    ...unavailableResponse,
  },
});

const downloadRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}/attachments/{attachmentId}',
  tags: ['Tickets'],
  summary: "Download an attachment's content",
  description:
    'Always a download (`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`), never shown inline. ' +
    'Each download is first recorded in the audit trail (`ticket.attachment_read`), and refused with 503 when it cannot be.',
  security: [{ bearerAuth: [] }],
  request: { params: oneParams },
  responses: {
    200: {
      description: 'The file, with the type found in its content on upload',
      content: Object.fromEntries(ATTACHMENT_CONTENT_TYPES.map((type) => [type, { schema: z.string().openapi({ type: 'string', format: 'binary' }) }])),
    },
    ...badRequestResponse,
    ...authErrorResponses,
    ...errorResponse(404, 'No such ticket or attachment, or not visible to you'),
    ...unavailableResponse,
  },
});

const visibilityRoute = createRoute({
  method: 'patch',
  path: '/api/v1/tickets/{id}/attachments/{attachmentId}',
  tags: ['Tickets'],
  summary: 'Mark whether the vendor may see the attachment (IT)',
  security: [{ bearerAuth: [] }],
  request: { params: oneParams, body: { required: true, content: { 'application/json': { schema: AttachmentVisibilityBodySchema } } } },
  responses: {
    200: { description: 'The attachment now', content: { 'application/json': { schema: AttachmentSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...errorResponse(404, 'No such ticket or attachment, or not visible to you'),
    ...unavailableResponse,
  },
});

const publicView = ({ objectKey: _key, ...a }: StoredAttachment): Attachment => a;

/** `filename*` (RFC 6266, 8187) for the real name; a plain ASCII `filename` for old clients. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function registerTicketAttachments(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(listRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const ticket = await readableTicket(deps, actor, c.req.valid('param').id, 'attachments');
    const items = await listAttachments(deps.sql, ticket.id, { vendor: isVendorView(actor) });
    const limits = attachmentLimits(deps);
    return c.json({ items: items.map(publicView), limits: { ...limits, contentTypes: [...ATTACHMENT_CONTENT_TYPES] } }, 200);
  });

  app.openapi(uploadRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const ticket = await findTicket(deps.sql, id);
    // Those who work or reported the ticket add files; an admin or auditor reads, never changes it.
    if (!ticket || !canReadTicket(actor, ticket)) throw new AppError('NOT_FOUND', `no ticket ${id}`);
    const file: unknown = c.req.valid('form').file;
    if (!(file instanceof File)) {
      throw new AppError('BAD_REQUEST', 'send the file as multipart/form-data in the field `file`', [{ path: 'file', message: 'a file is required' }]);
    }
    const stored = await storeAttachment(deps, {
      ticketId: ticket.id,
      fileName: file.name,
      bytes: Buffer.from(await file.arrayBuffer()),
      uploadedBy: actorRef(actor),
      // A vendor's own file is for it to see; anyone else's waits for IT's decision.
      vendorVisible: isVendorView(actor),
    });
    return c.json(publicView(stored), 201);
  });

  app.openapi(downloadRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const { id, attachmentId } = c.req.valid('param');
    const ticket = await findTicket(deps.sql, id);
    const access = ticket ? ticketReadAccess(actor, ticket) : null;
    const attachment = ticket && access ? await findAttachment(deps.sql, ticket.id, attachmentId) : null;
    if (!ticket || !attachment || (isVendorView(actor) && !attachment.vendorVisible)) {
      throw new AppError('NOT_FOUND', `no attachment ${attachmentId} on ticket ${id}`);
    }
    const objects = objectStoreOf(deps);
    // Recorded, and acknowledged by JetStream, before anything is read out: no silent download.
    const refused = new AppError('UNAVAILABLE', 'this download cannot be recorded in the audit trail right now, so it is refused; please retry');
    if (!deps.js) throw refused;
    try {
      await publishEvent(deps.js, {
        id: randomUUID(),
        type: TICKET_ATTACHMENT_READ,
        occurredAt: new Date().toISOString(),
        actor: actor.isServiceAccount ? { kind: 'system', id: actor.serviceClient ?? actor.id } : actorRef(actor),
        ticketId: ticket.id,
        data: { number: ticket.number, attachmentId: attachment.id },
        schemaVersion: EVENT_SCHEMA_VERSION,
      });
    } catch (err) {
      deps.logger.error({ err, attachmentId }, 'download refused: its read event could not be published');
      throw refused;
    }
    const body = await objects.get(attachment.objectKey).catch((err: unknown) => {
      deps.logger.error({ err, attachmentId }, 'attachment content unreachable');
      throw new AppError('UNAVAILABLE', 'the attachment store is unreachable; please retry');
    });
    if (!body) {
      deps.logger.error({ attachmentId }, 'a stored attachment has no object');
      throw new AppError('UNAVAILABLE', 'the attachment content is missing from the store');
    }
    return c.body(body, 200, {
      'Content-Type': attachment.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : attachment.contentType,
      'Content-Length': String(attachment.sizeBytes),
      'Content-Disposition': contentDisposition(attachment.fileName),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'no-store',
    });
  });

  app.openapi(visibilityRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const { id, attachmentId } = c.req.valid('param');
    const { vendorVisible } = c.req.valid('json');
    const ticket = await findTicket(deps.sql, id);
    if (!ticket || !canReadTicket(actor, ticket)) throw new AppError('NOT_FOUND', `no ticket ${id}`);
    if (!hasRole(actor, 'it_agent', 'it_lead')) throw new AppError('FORBIDDEN', 'only IT decides which attachments the vendor may see');
    const result = await setAttachmentVendorVisible(deps.sql, ticket.id, attachmentId, vendorVisible, (a) => ({
      id: randomUUID(),
      type: 'ticket.attachment_visibility_changed',
      occurredAt: new Date().toISOString(),
      actor: actorRef(actor),
      ticketId: ticket.id,
      data: { number: ticket.number, attachmentId: a.id, vendorVisible: a.vendorVisible },
      schemaVersion: EVENT_SCHEMA_VERSION,
    }));
    if (!result) throw new AppError('NOT_FOUND', `no attachment ${attachmentId} on ticket ${id}`);
    if (result.changed) await attachmentOutbox.publish(deps.sql, deps.js, result.changed, deps.logger);
    return c.json(publicView(result.attachment), 200);
  });
}
