import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { TicketSchema } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { canReadTicket } from '../access.js';
import { findTicket } from '../tickets-repo.js';
import { authErrorResponses, badRequestResponse, notFoundResponse } from './common.js';

export const getTicketRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}',
  tags: ['Tickets'],
  summary: 'Read one ticket',
  security: [{ bearerAuth: [] }],
  request: { params: z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    200: { description: 'The ticket', content: { 'application/json': { schema: TicketSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
  },
});

export function registerGetTicket(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(getTicketRoute, async (c) => {
    const { id } = c.req.valid('param');
    const ticket = await findTicket(c.get('deps').sql, id);
    // A ticket the caller may not see is reported as missing, so ids cannot be probed.
    if (!ticket || !canReadTicket(c.get('actor'), ticket)) throw new AppError('NOT_FOUND', `no ticket ${id}`);
    return c.json(ticket, 200);
  });
}
