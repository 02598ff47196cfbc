import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { AppError } from '@tierline/platform';
import { insertIncidentStatus } from '@tierline/ticket-store';
import { incidentStatusPostedUpdate, type ActionBy } from '@tierline/ticket-workflow';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';
import { runTicketUpdate } from './v1_tickets_actions.js';
import { stableUuid } from '../notification-timeline.js';
import { conflictResponse, IncidentStatusSchema, openIncident, requireIncidentRole } from './v1_incidents_common.js';

export const PostIncidentStatusRequestSchema = z
  .object({
    message: z.string().trim().min(3).max(2000).openapi({ example: 'EHR down at North; vendor engaged; next update 14:00' }),
    nextUpdateAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .openapi({ description: 'When IT will post again; the incident’s owner is reminded when it passes. Null: no promise.' }),
  })
  .strict()
  .openapi('PostIncidentStatusRequest');

export const postIncidentStatusRoute = createRoute({
  method: 'post',
  path: '/api/v1/tickets/{id}/incident-status',
  tags: ['Incidents'],
  summary: 'Post what is happening in this major incident, and when the next update is due',
  description:
    'Staff of the affected sites see it in the status banner; the children’s requesters are told. The text stays with the ticket; events name it by id. ' +
    'Send an `Idempotency-Key` header to make retries safe: a repeated key answers the post already made. Allowed roles: it_agent, it_lead.',
  security: [{ bearerAuth: [] }],
  request: {
    params: z.object({ id: z.uuid() }),
    headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }),
    body: { required: true, content: { 'application/json': { schema: PostIncidentStatusRequestSchema } } },
  },
  responses: {
    201: { description: 'Posted', content: { 'application/json': { schema: IncidentStatusSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...conflictResponse,
    ...unavailableResponse,
  },
});

export function registerPostIncidentStatus(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(postIncidentStatusRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    requireIncidentRole(actor, 'post the status of a major incident');
    const body = c.req.valid('json');
    if (body.nextUpdateAt !== null && Date.parse(body.nextUpdateAt) <= Date.now()) {
      throw new AppError('BAD_REQUEST', 'invalid request: nextUpdateAt', [{ path: 'nextUpdateAt', message: 'the next update must be due in the future' }]);
    }
    const parent = await openIncident(deps.sql, c.req.valid('param').id);
    // A retried request (same person, incident and key) is the same post: one row, one update.
    const key = c.req.valid('header')['idempotency-key'];
    const id = key ? stableUuid(`incident-status\n${actor.id}\n${parent.id}\n${key}`) : randomUUID();
    const nextUpdateAt = body.nextUpdateAt === null ? null : new Date(body.nextUpdateAt).toISOString();
    const by: ActionBy = { actor: { id: actor.id, role: actor.primaryRole } };
    // The text and the workflow's record of it commit together: if the workflow refuses or is
    // unreachable the row rolls back; the update's id is the post's, so a retry records it once.
    const post = await deps.sql.begin(async (tx) => {
      const p = await insertIncidentStatus(tx, { id, ticketId: parent.id, message: body.message, postedBy: actor.id, postedByRole: actor.primaryRole, nextUpdateAt });
      await runTicketUpdate(deps, parent, 'post a status on', incidentStatusPostedUpdate, { ...by, statusId: id, nextUpdateAt }, { updateId: `incident-status-${id}` });
      return p;
    });
    return c.json({ id: post.id, message: post.message, postedBy: post.postedBy, postedAt: post.postedAt, nextUpdateAt: post.nextUpdateAt }, 201);
  });
}
