import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { TicketSchema } from '@tierline/contracts';
import type { TicketAppEnv } from '../deps.js';
import { readableTicket } from '../access.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';

export const getTicketRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}',
  tags: ['Tickets'],
  summary: 'Read one ticket',
  description: "The ticket's people read it directly; an admin's or an auditor's read is first recorded in the audit trail (`ticket.content_read`), and refused with 503 when it cannot be.",
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
    const ticket = await readableTicket(c.get('deps'), c.get('actor'), c.req.valid('param').id, 'ticket');
    return c.json(ticket, 200);
  });
}
