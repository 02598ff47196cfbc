import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { TicketSchema } from '@tierline/contracts';
import type { TicketAppEnv } from '../deps.js';
import { readableTicket, ticketViewFor } from '../access.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';

export const getTicketRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}',
  tags: ['Tickets'],
  summary: 'Read one ticket',
  description:
    "Every read is first recorded in the audit trail (`ticket.content_read`, once per person, ticket and hour), and refused with 503 when it cannot be. " +
    'A vendor gets the facts only: `title` and `description` are empty for it.',
  security: [{ bearerAuth: [] }],
  request: { params: z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    200: { description: 'The ticket', content: { 'application/json': { schema: TicketSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...unavailableResponse,
  },
});

export function registerGetTicket(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(getTicketRoute, async (c) => {
    const actor = c.get('actor');
    const ticket = await readableTicket(c.get('deps'), actor, c.req.valid('param').id, 'ticket');
    return c.json(ticketViewFor(actor, ticket), 200);
  });
}
