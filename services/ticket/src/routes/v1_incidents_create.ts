import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { PrioritySchema } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import { findByIdempotencyKey, findTicket } from '@tierline/ticket-store';
import { changePriorityUpdate, declareIncidentUpdate, type ActionBy } from '@tierline/ticket-workflow';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse, unavailableResponse } from './common.js';
import { openTicket } from './v1_tickets_create.js';
import { runTicketUpdate } from './v1_tickets_actions.js';
import { conflictResponse, incidentView, requireIncidentRole, workflowIncident } from './v1_incidents_common.js';
import { DeclaredIncidentSchema } from './v1_tickets_declare_incident.js';

export const CreateIncidentRequestSchema = z
  .object({
    title: z.string().trim().min(3).max(200).openapi({ example: 'EHR down at North' }),
    description: z.string().trim().max(5000).default(''),
    category: z.string().min(1).openapi({ example: 'ehr' }),
    siteId: z.string().min(1).openapi({ example: 'north' }),
    priority: PrioritySchema.default('P1'),
  })
  .strict()
  .openapi('CreateIncidentRequest');

export const createIncidentRoute = createRoute({
  method: 'post',
  path: '/api/v1/incidents',
  tags: ['Incidents'],
  summary: 'Declare a major incident from nothing: opens its ticket (P1 unless told) and declares it',
  description:
    'The ticket opens as POST /api/v1/tickets opens one, then becomes a major incident. Send an `Idempotency-Key` header to make retries safe: a repeated key declares the ticket already opened. Allowed roles: it_agent, it_lead.',
  security: [{ bearerAuth: [] }],
  request: {
    headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }),
    body: { required: true, content: { 'application/json': { schema: CreateIncidentRequestSchema } } },
  },
  responses: {
    201: { description: 'Opened and declared', content: { 'application/json': { schema: DeclaredIncidentSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...conflictResponse,
    ...unavailableResponse,
  },
});

export function registerCreateIncident(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(createIncidentRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    requireIncidentRole(actor, 'declare a major incident');
    const body = c.req.valid('json');
    const idempotencyKey = c.req.valid('header')['idempotency-key'];
    if (!deps.categories.includes(body.category)) {
      throw new AppError('BAD_REQUEST', 'invalid request: category', [
        { path: 'category', message: `unknown category "${body.category}"; expected one of ${deps.categories.join(', ')}` },
      ]);
    }
    const by: ActionBy = { actor: { id: actor.id, role: actor.primaryRole } };
    const existing = idempotencyKey ? await findByIdempotencyKey(deps.sql, actor.id, idempotencyKey) : null;
    // An outage stops a whole site, now: the policy's matrix gives it its priority, which is then
    // set to the one asked for (P1 unless told), with the reason on the ticket.
    const opened =
      existing ??
      (await openTicket(deps, { id: actor.id, role: actor.primaryRole }, { title: body.title, description: body.description, category: body.category, siteId: body.siteId, impact: 'whole_site', urgency: 'high', patientCareAffected: false }, idempotencyKey ?? null));
    if (!existing && opened.priority !== body.priority) {
      await runTicketUpdate(deps, opened, 'set the priority of', changePriorityUpdate, { ...by, priority: body.priority, reason: 'Declared a major incident', reasonId: randomUUID() });
    }
    const escalation = await runTicketUpdate(deps, opened, 'declare a major incident on', declareIncidentUpdate, by);
    const after = (await findTicket(deps.sql, opened.id))!;
    return c.json({ ticket: after, escalation, incident: await incidentView(deps.sql, actor, after, workflowIncident(escalation)) }, 201, { location: `/api/v1/tickets/${after.id}` });
  });
}
