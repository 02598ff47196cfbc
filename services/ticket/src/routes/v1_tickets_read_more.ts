import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { WorkflowNotFoundError } from '@temporalio/client';
import { EscalationStateSchema } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import { getStateQuery } from '@tierline/ticket-workflow';
import { findTicket, listComments, listTimeline } from '@tierline/ticket-store';
import type { TicketAppEnv } from '../deps.js';
import { canSeeInternal, isVendorView, readableTicket, recordContentReads } from '../access.js';
import { NOTIFICATION_CLIENT } from './v1_assignment_common.js';
import { NOTE_KINDS, type NoteKind } from '@tierline/ticket-workflow';
import { authErrorResponses, notFoundResponse, unavailableResponse } from './common.js';

const params = z.object({ id: z.uuid() });

const escalationRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}/escalation',
  tags: ['Tickets'],
  summary: "The ticket's escalation state, straight from its workflow",
  security: [{ bearerAuth: [] }],
  request: { params },
  responses: {
    200: { description: 'Escalation state', content: { 'application/json': { schema: EscalationStateSchema } } },
    ...authErrorResponses,
    ...notFoundResponse,
    ...unavailableResponse,
  },
});

const TimelineEntrySchema = z
  .object({ eventId: z.string(), type: z.string(), occurredAt: z.string(), actor: z.object({ kind: z.string(), id: z.string() }), data: z.record(z.string(), z.unknown()) })
  .openapi('TimelineEntry');

const timelineRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}/timeline',
  tags: ['Tickets'],
  summary: 'Everything that happened to the ticket, oldest first',
  security: [{ bearerAuth: [] }],
  request: { params },
  responses: {
    200: { description: 'Timeline', content: { 'application/json': { schema: z.object({ items: z.array(TimelineEntrySchema) }) } } },
    ...authErrorResponses,
    ...notFoundResponse,
    ...unavailableResponse,
  },
});

const CommentSchema = z
  .object({
    id: z.string(),
    authorId: z.string(),
    authorRole: z.string(),
    visibility: z.enum(['public', 'internal']),
    kind: z.enum(NOTE_KINDS).openapi({ description: 'A comment, or the free text of an action: the reason of a priority change or a reopen, the question to the requester, the hand-off note, the resolution note. Events name it by id.' }),
    body: z.string(),
    createdAt: z.string(),
  })
  .openapi('Comment');

const commentsRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}/comments',
  tags: ['Tickets'],
  summary:
    'Comments and the notes of actions; internal notes only for IT; to a vendor, its own and the hand-off notes only; to the notification service, the public ones (for the requester\'s email updates)',
  security: [{ bearerAuth: [] }],
  request: { params },
  responses: {
    200: { description: 'Comments, oldest first', content: { 'application/json': { schema: z.object({ items: z.array(CommentSchema) }) } } },
    ...authErrorResponses,
    ...notFoundResponse,
    ...unavailableResponse,
  },
});

export function registerTicketReads(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(escalationRoute, async (c) => {
    const ticket = await readableTicket(c.get('deps'), c.get('actor'), c.req.valid('param').id, 'escalation');
    try {
      const state = await c.get('deps').temporal.workflow.getHandle(ticket.workflowId).query(getStateQuery);
      return c.json(state, 200);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new AppError('NOT_FOUND', `${ticket.number} has no running workflow`);
      throw new AppError('UNAVAILABLE', 'the escalation engine is unreachable');
    }
  });

  app.openapi(timelineRoute, async (c) => {
    const ticket = await readableTicket(c.get('deps'), c.get('actor'), c.req.valid('param').id, 'timeline');
    const internal = canSeeInternal(c.get('actor'));
    return c.json({ items: await listTimeline(c.get('deps').sql, ticket.id, { internal }) }, 200);
  });

  app.openapi(commentsRoute, async (c) => {
    const actor = c.get('actor');
    if (actor.serviceClient === NOTIFICATION_CLIENT) {
      // The words of IT's question, a public reply or the resolution go into the requester's and
      // watchers' email updates (docs/decisions/0034): public notes only, and the read is recorded
      // like anyone's.
      const deps = c.get('deps');
      const ticket = await findTicket(deps.sql, c.req.valid('param').id);
      if (!ticket) throw new AppError('NOT_FOUND', `no ticket ${c.req.valid('param').id}`);
      await recordContentReads(deps, actor, [ticket], 'comments');
      return c.json({ items: await listComments<NoteKind>(deps.sql, ticket.id, { internal: false, vendor: false }) }, 200);
    }
    const ticket = await readableTicket(c.get('deps'), actor, c.req.valid('param').id, 'comments');
    const internal = canSeeInternal(actor);
    const vendor = isVendorView(actor);
    return c.json({ items: await listComments<NoteKind>(c.get('deps').sql, ticket.id, { internal, vendor }) }, 200);
  });
}
