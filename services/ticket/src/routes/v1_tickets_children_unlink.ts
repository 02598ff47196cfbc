import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import { findTicket } from '@tierline/ticket-store';
import { unlinkChildUpdate, type ActionBy } from '@tierline/ticket-workflow';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';
import { runTicketUpdate } from './v1_tickets_actions.js';
import { conflictResponse, incidentView, IncidentViewSchema, openIncident, requireIncidentRole, workflowIncident } from './v1_incidents_common.js';

export const unlinkChildRoute = createRoute({
  method: 'delete',
  path: '/api/v1/tickets/{id}/children/{childId}',
  tags: ['Incidents'],
  summary: 'Unlink a child from this major incident',
  description: 'The child escalates on its own again, its clocks where the incident left them. Allowed roles: it_agent, it_lead.',
  security: [{ bearerAuth: [] }],
  request: { params: z.object({ id: z.uuid(), childId: z.uuid() }) },
  responses: {
    200: { description: 'Unlinked; the incident as it is now', content: { 'application/json': { schema: IncidentViewSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...conflictResponse,
    ...unavailableResponse,
  },
});

export function registerUnlinkChild(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(unlinkChildRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    requireIncidentRole(actor, 'unlink tickets from a major incident');
    const { id, childId } = c.req.valid('param');
    const parent = await openIncident(deps.sql, id);
    const child = await findTicket(deps.sql, childId);
    if (!child) throw new AppError('NOT_FOUND', `no ticket ${childId}`);
    // The read model may lag a link just made: the workflow's own list decides, and unlinking a
    // ticket that is not a child there is refused by it (409 with its message).
    if (child.incidentParentId && child.incidentParentId !== parent.id) {
      const other = await findTicket(deps.sql, child.incidentParentId);
      throw new AppError('CONFLICT', `${child.number} is linked to ${other?.number ?? child.incidentParentId}, not to ${parent.number}`);
    }
    const by: ActionBy = { actor: { id: actor.id, role: actor.primaryRole } };
    const escalation = await runTicketUpdate(deps, parent, `unlink ${child.number} from`, unlinkChildUpdate, { ...by, childTicketId: child.id });
    return c.json(await incidentView(deps.sql, actor, parent, workflowIncident(escalation)), 200);
  });
}
