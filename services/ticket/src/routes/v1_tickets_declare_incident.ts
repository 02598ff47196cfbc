import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { EscalationStateSchema, TicketSchema } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import { declareIncidentUpdate, type ActionBy } from '@tierline/ticket-workflow';
import { findTicket } from '@tierline/ticket-store';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';
import { runTicketUpdate } from './v1_tickets_actions.js';
import { conflictResponse, declarableTicket, incidentView, IncidentViewSchema, requireIncidentRole, workflowIncident } from './v1_incidents_common.js';

export const DeclaredIncidentSchema = z
  .object({ ticket: TicketSchema, escalation: EscalationStateSchema, incident: IncidentViewSchema })
  .openapi('DeclaredIncident');

export const declareIncidentRoute = createRoute({
  method: 'post',
  path: '/api/v1/tickets/{id}/declare-incident',
  tags: ['Incidents'],
  summary: 'Declare this ticket a major incident (a parent other tickets are linked to)',
  description: 'Idempotent: declaring a major incident again changes nothing. The ticket must be open and not linked to another incident. Allowed roles: it_agent, it_lead.',
  security: [{ bearerAuth: [] }],
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    200: { description: 'The ticket is a major incident', content: { 'application/json': { schema: DeclaredIncidentSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...conflictResponse,
    ...unavailableResponse,
  },
});

export function registerDeclareIncident(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(declareIncidentRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    requireIncidentRole(actor, 'declare a major incident');
    const ticket = await findTicket(deps.sql, id);
    if (!ticket) throw new AppError('NOT_FOUND', `no ticket ${id}`);
    await declarableTicket(deps.sql, ticket);
    const by: ActionBy = { actor: { id: actor.id, role: actor.primaryRole } };
    const escalation = await runTicketUpdate(deps, ticket, 'declare a major incident on', declareIncidentUpdate, by);
    const after = (await findTicket(deps.sql, id))!;
    return c.json({ ticket: after, escalation, incident: await incidentView(deps.sql, actor, after, workflowIncident(escalation)) }, 200);
  });
}
