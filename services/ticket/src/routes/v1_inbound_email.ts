import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { createHash } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, RoleSchema, TICKET_EMAIL_RECEIVED, type Role, type Ticket } from '@tierline/contracts';
import { AppError, errorResponse, hasRole, publishEvent, type Actor } from '@tierline/platform';
import { commentUpdate } from '@tierline/ticket-workflow';
import { findByIdempotencyKey, findTicket, findTicketByNumber, listWatchers } from '@tierline/ticket-store';
import type { TicketAppEnv, TicketDeps } from '../deps.js';
import { canOpenTicketFor } from '../access.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';
import { runTicketUpdate } from './v1_tickets_actions.js';
import { openTicket } from './v1_tickets_create.js';
import { storeAttachment } from '../attachments/store.js';
import { ErrorEnvelopeSchema } from '@tierline/contracts';

/**
 * Mail in (docs/decisions/0036): the notification service receives the clinic's mail, matches the
 * sender to a directory user, and acts for that person through these routes with its own service
 * account. Only that account may call them; the person's roles and sites come from the identity
 * directory, which the notification service read.
 */
export const INBOUND_EMAIL_CLIENT = 'tierline-notification';

function requireNotificationService(actor: Actor): void {
  if (actor.serviceClient !== INBOUND_EMAIL_CLIENT) throw new AppError('FORBIDDEN', `only the ${INBOUND_EMAIL_CLIENT} service account acts on inbound email`);
}

/** Ticket fields a mail cannot say: what the help desk assumes until IT triages (decision 0036). */
export const EMAIL_TICKET_DEFAULTS = { impact: 'one_user', urgency: 'medium', patientCareAffected: false, category: 'other' } as const;

const ROLE_RANK: Role[] = ['admin', 'it_lead', 'it_agent', 'auditor', 'vendor', 'clinic_staff'];
const IT: Role[] = ['it_agent', 'it_lead'];

const PersonSchema = z
  .object({
    id: z.string().min(1).max(64).openapi({ description: 'Keycloak subject id of the sender, matched by the directory.' }),
    username: z.string().min(1).max(255),
    roles: z.array(RoleSchema).max(10),
    sites: z.array(z.string().min(1).max(64)).max(100),
  })
  .strict();

/** The sender as an actor, so the same access rules as for the portal apply. */
function personActor(p: z.infer<typeof PersonSchema>): Actor {
  return {
    id: p.id,
    username: p.username,
    roles: p.roles,
    sites: [...p.sites].sort(),
    vendorOrg: null,
    primaryRole: ROLE_RANK.find((r) => p.roles.includes(r)) ?? 'clinic_staff',
    isServiceAccount: false,
    serviceClient: null,
  };
}

const messageKey = z.string().min(8).max(200).openapi({ description: 'Stable key of the mail (from its Message-ID): the same mail acts once.' });
const attachments = z.number().int().min(0).max(1000).default(0).openapi({ description: 'Files the mail carried; each is sent on its own to POST /api/v1/inbound-email/attachments.' });

/** A uuid (v5 layout) derived from the mail, so a retried call names the same comment and event. */
function derivedId(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\n')).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The record that this action came by email; its id is derived, so a retry is one record. */
async function recordEmailChannel(deps: Pick<TicketDeps, 'js' | 'logger'>, actor: Actor, ticket: Pick<Ticket, 'id' | 'number'>, key: string, data: { action: 'opened' | 'commented'; commentId?: string; attachments: number }) {
  if (!deps.js) throw new AppError('UNAVAILABLE', 'the email channel cannot be recorded right now; please retry');
  try {
    await publishEvent(deps.js, {
      id: derivedId('email-received', key, data.action),
      type: TICKET_EMAIL_RECEIVED,
      occurredAt: new Date().toISOString(),
      actor: { kind: 'user', id: actor.id, role: actor.primaryRole },
      ticketId: ticket.id,
      data: { number: ticket.number, channel: 'email', ...data },
      schemaVersion: EVENT_SCHEMA_VERSION,
    });
  } catch (err) {
    deps.logger.error({ err, ticketId: ticket.id }, 'email channel event could not be published');
    throw new AppError('UNAVAILABLE', 'the email channel cannot be recorded right now; please retry');
  }
}

const OpenBodySchema = z
  .object({
    requester: PersonSchema,
    title: z.string().trim().min(1).max(500),
    description: z.string().max(20_000).default(''),
    messageKey,
    attachments,
  })
  .strict()
  .openapi('InboundEmailTicket');

const OpenedSchema = z.object({ ticketId: z.uuid(), number: z.string(), siteId: z.string(), replayed: z.boolean() }).openapi('InboundEmailTicketOpened');

export const inboundEmailTicketRoute = createRoute({
  method: 'post',
  path: '/api/v1/inbound-email/tickets',
  tags: ['Inbound email'],
  summary: 'Open a ticket for the sender of a mail to the help desk (notification service only)',
  description:
    "The site is the requester's first site on their account; category, impact and urgency are the help desk's defaults " +
    `(${EMAIL_TICKET_DEFAULTS.category}, ${EMAIL_TICKET_DEFAULTS.impact}, ${EMAIL_TICKET_DEFAULTS.urgency}) until IT triages. ` +
    'The same messageKey returns the ticket already opened. Records `ticket.email_received`.',
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: OpenBodySchema } } } },
  responses: {
    201: { description: 'Opened (or opened before for this mail)', content: { 'application/json': { schema: OpenedSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    422: { description: 'The sender may not open a ticket by mail (no site on their account, or not clinic staff or IT)', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
    ...unavailableResponse,
  },
});

const CommentBodySchema = z
  .object({
    ticketNumber: z.string().min(1).max(40),
    author: PersonSchema,
    body: z.string().trim().min(1).max(10_000),
    messageKey,
    attachments,
  })
  .strict()
  .openapi('InboundEmailComment');

const CommentedSchema = z.object({ ticketId: z.uuid(), number: z.string(), commentId: z.string() }).openapi('InboundEmailCommented');

export const inboundEmailCommentRoute = createRoute({
  method: 'post',
  path: '/api/v1/inbound-email/comments',
  tags: ['Inbound email'],
  summary: 'Add a reply by mail as a public comment for its sender (notification service only)',
  description:
    "The sender must be the ticket's requester, one of its watchers, or IT. The comment goes through the workflow like the " +
    "portal's, so the requester's reply resumes a ticket waiting on them. The same messageKey adds one comment. Records `ticket.email_received`.",
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: CommentBodySchema } } } },
  responses: {
    200: { description: 'Commented', content: { 'application/json': { schema: CommentedSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    409: { description: 'The ticket is closed; the message says so', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
    422: { description: 'The sender may not comment on this ticket', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
    ...unavailableResponse,
  },
});

/** Who may add to a ticket by mail: its requester, one of its watchers, or IT. */
async function requireMailAuthor(deps: Pick<TicketDeps, 'sql'>, person: Actor, ticket: Pick<Ticket, 'id' | 'number' | 'requesterId'>): Promise<void> {
  const allowed =
    ticket.requesterId === person.id || hasRole(person, ...IT) || (await listWatchers(deps.sql, ticket.id)).some((w) => w.userId === person.id);
  if (!allowed) throw new AppError('UNPROCESSABLE', `${person.username} is not the requester, a watcher or IT on ${ticket.number}`);
}

/** The path the service app gives a body as large as one attachment (app.ts). */
export const INBOUND_EMAIL_ATTACHMENTS_PATH = /^\/api\/v1\/inbound-email\/attachments$/;

const AttachmentFormSchema = z.object({
  ticketId: z.uuid().openapi({ description: 'The ticket the mail opened or answered' }),
  messageKey,
  index: z.coerce.number().int().min(0).max(999).openapi({ description: "The file's place among the mail's attachments: with messageKey, what makes a retry store it once" }),
  uploader: z.string().min(2).max(20_000).openapi({ description: 'The sender as the directory matched them, JSON: {id, username, roles, sites}' }),
  file: z.any().openapi({ type: 'string', format: 'binary', description: 'The file, named as in the mail' }),
});

const AttachedSchema = z
  .object({ attachmentId: z.uuid(), ticketId: z.uuid(), contentType: z.string(), sizeBytes: z.number().int() })
  .openapi('InboundEmailAttached');

export const inboundEmailAttachmentRoute = createRoute({
  method: 'post',
  path: '/api/v1/inbound-email/attachments',
  tags: ['Inbound email'],
  summary: "Store one file of a mail on its ticket, as the mail's sender (notification service only)",
  description:
    'Multipart/form-data, one file per request, with the same limits and type checks as a portal upload; never visible to the vendor ' +
    'until IT marks it. The attachment id derives from messageKey and index, so the same file of the same mail is stored once. ' +
    'A refused file gets 413, 415 or 422 with a message naming it; the ticket and its comment stand.',
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { 'multipart/form-data': { schema: AttachmentFormSchema } } } },
  responses: {
    201: { description: 'Stored (or stored before for this file of this mail)', content: { 'application/json': { schema: AttachedSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...errorResponse(413, 'The file is larger than the limit'),
    ...errorResponse(415, 'The content is not of an accepted type'),
    ...errorResponse(422, 'The file is empty or damaged, the ticket has no room for it, or the sender may not add to this ticket'),
    ...unavailableResponse,
  },
});

export function registerInboundEmail(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(inboundEmailAttachmentRoute, async (c) => {
    requireNotificationService(c.get('actor'));
    const deps = c.get('deps');
    const form = c.req.valid('form');
    let uploader: z.infer<typeof PersonSchema>;
    try {
      uploader = PersonSchema.parse(JSON.parse(form.uploader));
    } catch {
      throw new AppError('BAD_REQUEST', 'uploader must be the sender as JSON: {id, username, roles, sites}', [{ path: 'uploader', message: 'not a person' }]);
    }
    const file: unknown = form.file;
    if (!(file instanceof File)) throw new AppError('BAD_REQUEST', 'send the file as multipart/form-data in the field `file`', [{ path: 'file', message: 'a file is required' }]);
    const person = personActor(uploader);
    const ticket = await findTicket(deps.sql, form.ticketId);
    if (!ticket) throw new AppError('NOT_FOUND', `no ticket ${form.ticketId}`);
    await requireMailAuthor(deps, person, ticket);
    const stored = await storeAttachment(deps, {
      id: derivedId('email-attachment', form.messageKey, String(form.index)),
      ticketId: ticket.id,
      fileName: file.name,
      bytes: Buffer.from(await file.arrayBuffer()),
      uploadedBy: { kind: 'user', id: person.id, role: person.primaryRole },
      // Whatever the sender's role: IT decides what the vendor sees of a mail.
      vendorVisible: false,
    });
    return c.json({ attachmentId: stored.id, ticketId: ticket.id, contentType: stored.contentType, sizeBytes: stored.sizeBytes }, 201);
  });

  app.openapi(inboundEmailTicketRoute, async (c) => {
    requireNotificationService(c.get('actor'));
    const deps = c.get('deps');
    const body = c.req.valid('json');
    const person = personActor(body.requester);
    const idempotencyKey = `email:${body.messageKey}`;
    const existing = await findByIdempotencyKey(deps.sql, person.id, idempotencyKey);
    let ticket = existing;
    if (!ticket) {
      const siteId = person.sites[0];
      if (!siteId) throw new AppError('UNPROCESSABLE', `${person.username} has no site on their account, so a mail cannot say where the problem is`);
      if (!canOpenTicketFor(person, siteId)) throw new AppError('UNPROCESSABLE', `${person.username} may not open tickets (clinic staff and IT may)`);
      const category = deps.categories.includes(EMAIL_TICKET_DEFAULTS.category) ? EMAIL_TICKET_DEFAULTS.category : deps.categories[deps.categories.length - 1]!;
      const title = body.title.length >= 3 ? body.title.slice(0, 200) : `Email: ${body.title}`;
      ticket = await openTicket(
        deps,
        { id: person.id, role: person.primaryRole },
        { title, description: body.description.slice(0, 5000), category, siteId, impact: EMAIL_TICKET_DEFAULTS.impact, urgency: EMAIL_TICKET_DEFAULTS.urgency, patientCareAffected: false },
        idempotencyKey,
      );
    }
    await recordEmailChannel(deps, person, ticket, body.messageKey, { action: 'opened', attachments: body.attachments });
    return c.json({ ticketId: ticket.id, number: ticket.number, siteId: ticket.siteId, replayed: existing !== null }, 201);
  });

  app.openapi(inboundEmailCommentRoute, async (c) => {
    requireNotificationService(c.get('actor'));
    const deps = c.get('deps');
    const body = c.req.valid('json');
    const person = personActor(body.author);
    const ticket = await findTicketByNumber(deps.sql, body.ticketNumber.toUpperCase());
    if (!ticket) throw new AppError('NOT_FOUND', `no ticket ${body.ticketNumber}`);
    await requireMailAuthor(deps, person, ticket);
    if (ticket.status === 'closed') throw new AppError('CONFLICT', `${ticket.number} is closed`);
    const commentId = derivedId('email-comment', body.messageKey);
    const result = await runTicketUpdate(
      deps,
      ticket,
      'comment',
      commentUpdate,
      { actor: { id: person.id, role: person.primaryRole }, commentId, body: body.body, visibility: 'public' as const },
      // Temporal keeps one result per update id: a retried call does not comment twice.
      { updateId: `email-comment-${commentId}` },
    );
    await recordEmailChannel(deps, person, ticket, body.messageKey, { action: 'commented', commentId: result.commentId, attachments: body.attachments });
    return c.json({ ticketId: ticket.id, number: ticket.number, commentId: result.commentId }, 200);
  });
}
