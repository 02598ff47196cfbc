import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { AppError, hasRole, publishEvent } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { canReadTicket, readableTicket } from '../access.js';
import { addWatcher, findTicket, listWatchers, removeWatcher } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';

/**
 * Watchers follow a ticket without working it. Watching changes no escalation state, so it is
 * written here rather than through the workflow; it is still an audited event.
 */
const WatchersSchema = z.object({ items: z.array(z.object({ userId: z.string(), addedAt: z.string() })) }).openapi('Watchers');
const params = z.object({ id: z.uuid() });

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}/watchers',
  tags: ['Tickets'],
  summary: 'Who watches the ticket',
  security: [{ bearerAuth: [] }],
  request: { params },
  responses: { 200: { description: 'Watchers', content: { 'application/json': { schema: WatchersSchema } } }, ...authErrorResponses, ...notFoundResponse, ...unavailableResponse },
});

const changeRoute = (method: 'put' | 'delete') =>
  createRoute({
    method,
    path: '/api/v1/tickets/{id}/watchers/{userId}',
    tags: ['Tickets'],
    summary: method === 'put' ? 'Watch a ticket (yourself; IT may add others)' : 'Stop watching (yourself; IT may remove others)',
    security: [{ bearerAuth: [] }],
    request: { params: params.extend({ userId: z.string().min(1).max(200) }) },
    responses: {
      200: { description: 'Watchers now', content: { 'application/json': { schema: WatchersSchema } } },
      ...badRequestResponse,
      ...authErrorResponses,
      ...notFoundResponse,
    },
  });

export function registerTicketWatchers(app: OpenAPIHono<TicketAppEnv>): void {
  const list = async (sql: TicketAppEnv['Variables']['deps']['sql'], ticketId: string) => ({ items: await listWatchers(sql, ticketId) });

  app.openapi(listRoute, async (c) => {
    const { id } = await readableTicket(c.get('deps'), c.get('actor'), c.req.valid('param').id, 'watchers');
    return c.json(await list(c.get('deps').sql, id), 200);
  });

  for (const method of ['put', 'delete'] as const) {
    app.openapi(changeRoute(method), async (c) => {
      const { sql, js } = c.get('deps');
      const actor = c.get('actor');
      const { id, userId } = c.req.valid('param');
      const t = await findTicket(sql, id);
      // Only the ticket's own people watch it: an admin or auditor reads (audited), never changes it.
      if (!t || !canReadTicket(actor, t)) throw new AppError('NOT_FOUND', `no ticket ${id}`);
      if (userId !== actor.id && !hasRole(actor, 'it_agent', 'it_lead')) throw new AppError('FORBIDDEN', 'you may only add or remove yourself as a watcher');
      const changed = method === 'put' ? await addWatcher(sql, id, userId) : await removeWatcher(sql, id, userId);
      if (changed && js) {
        await publishEvent(js, {
          id: randomUUID(),
          type: method === 'put' ? 'ticket.watcher_added' : 'ticket.watcher_removed',
          occurredAt: new Date().toISOString(),
          actor: { kind: 'user', id: actor.id, role: actor.primaryRole },
          ticketId: id,
          data: { number: t.number, watcherId: userId },
          schemaVersion: 1,
        });
      }
      return c.json(await list(sql, id), 200);
    });
  }
}
