import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { TicketAppEnv } from '../deps.js';
import { readableTicket } from '../access.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';
import { incidentView, IncidentViewSchema } from './v1_incidents_common.js';

export const getTicketIncidentRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}/incident',
  tags: ['Incidents'],
  summary: "A ticket's incident: whether it is a major incident, its parent, its children and its status posts",
  description: 'For whoever may read the ticket; the read is recorded like every ticket read. Children are listed when the caller may read them.',
  security: [{ bearerAuth: [] }],
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    200: { description: 'The incident side of the ticket', content: { 'application/json': { schema: IncidentViewSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...unavailableResponse,
  },
});

export function registerGetTicketIncident(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(getTicketIncidentRoute, async (c) => {
    const actor = c.get('actor');
    const deps = c.get('deps');
    const ticket = await readableTicket(deps, actor, c.req.valid('param').id, 'ticket');
    return c.json(await incidentView(deps.sql, actor, ticket), 200);
  });
}
