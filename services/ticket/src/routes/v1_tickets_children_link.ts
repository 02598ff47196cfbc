import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { linkChildUpdate, type ActionBy } from '@tierline/ticket-workflow';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';
import { runTicketUpdate } from './v1_tickets_actions.js';
import { conflictResponse, incidentView, IncidentViewSchema, linkableChild, openIncident, requireIncidentRole, workflowIncident } from './v1_incidents_common.js';

export const LinkChildRequestSchema = z.object({ ticketId: z.uuid().openapi({ description: 'The ticket to link as a child of this major incident.' }) }).strict().openapi('LinkChildRequest');

export const linkChildRoute = createRoute({
  method: 'post',
  path: '/api/v1/tickets/{id}/children',
  tags: ['Incidents'],
  summary: 'Link a ticket to this major incident as its child',
  description:
    'The child stops escalating on its own and follows the parent; its requester gets the parent’s updates. Idempotent per child. ' +
    'Refused, naming the problem, when the ticket does not exist, is this one, is not open, is a major incident itself or is linked to another. Allowed roles: it_agent, it_lead.',
  security: [{ bearerAuth: [] }],
  request: {
    params: z.object({ id: z.uuid() }),
    body: { required: true, content: { 'application/json': { schema: LinkChildRequestSchema } } },
  },
  responses: {
    200: { description: 'Linked; the incident as it is now', content: { 'application/json': { schema: IncidentViewSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...conflictResponse,
    ...unavailableResponse,
  },
});

export function registerLinkChild(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(linkChildRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    requireIncidentRole(actor, 'link tickets to a major incident');
    const parent = await openIncident(deps.sql, c.req.valid('param').id);
    const child = await linkableChild(deps.sql, parent, c.req.valid('json').ticketId);
    const by: ActionBy = { actor: { id: actor.id, role: actor.primaryRole } };
    const escalation = await runTicketUpdate(deps, parent, `link ${child.number} to`, linkChildUpdate, { ...by, childTicketId: child.id });
    return c.json(await incidentView(deps.sql, actor, parent, workflowIncident(escalation)), 200);
  });
}
