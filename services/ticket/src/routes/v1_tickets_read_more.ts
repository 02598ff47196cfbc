import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { WorkflowNotFoundError } from '@temporalio/client';
import { EscalationStateSchema } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import { getStateQuery } from '@tierline/ticket-workflow';
import type { TicketAppEnv } from '../deps.js';
import { canSeeInternal, isVendorView, readableTicket } from '../access.js';
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
  summary: 'Comments and the notes of actions; internal notes only for IT; to a vendor, its own and the hand-off notes only',
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
    const rows = await c.get('deps').sql<{ event_id: string; type: string; occurred_at: Date; actor_kind: string; actor_id: string; data: Record<string, unknown> }[]>`
      select event_id, type, occurred_at, actor_kind, actor_id, data from ticket_timeline
      where ticket_id = ${ticket.id}
        and (${internal} or not (type = 'ticket.commented' and data->>'visibility' = 'internal'))
      order by occurred_at, event_id`;
    return c.json(
      { items: rows.map((r) => ({ eventId: r.event_id, type: r.type, occurredAt: r.occurred_at.toISOString(), actor: { kind: r.actor_kind, id: r.actor_id }, data: r.data })) },
      200,
    );
  });

  app.openapi(commentsRoute, async (c) => {
    const actor = c.get('actor');
    const ticket = await readableTicket(c.get('deps'), actor, c.req.valid('param').id, 'comments');
    const internal = canSeeInternal(actor);
    const vendor = isVendorView(actor);
    const rows = await c.get('deps').sql<{ id: string; author_id: string; author_role: string; visibility: 'public' | 'internal'; kind: NoteKind; body: string; created_at: Date }[]>`
      select id, author_id, author_role, visibility, kind, body, created_at from ticket_comments
      where ticket_id = ${ticket.id}
        and (${internal} or visibility = 'public' or ${vendor})
        and (not ${vendor} or kind = 'handoff_note' or author_role = 'vendor')
      order by created_at, id`;
    return c.json(
      { items: rows.map((r) => ({ id: r.id, authorId: r.author_id, authorRole: r.author_role, visibility: r.visibility, kind: r.kind, body: r.body, createdAt: r.created_at.toISOString() })) },
      200,
    );
  });
}
