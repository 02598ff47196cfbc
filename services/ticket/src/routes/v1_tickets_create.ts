import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { CreateTicketRequestSchema, TicketSchema, type CreateTicketRequest, type Role, type Ticket } from '@tierline/contracts';
import { AppError, annotateTicket } from '@tierline/platform';
import {
  TICKET_WORKFLOW_TYPE,
  searchAttributesFor,
  ticketWorkflowId,
  type TicketWorkflowInput,
} from '@tierline/ticket-workflow';
import type { TicketAppEnv, TicketDeps } from '../deps.js';
import { canOpenTicketFor } from '../access.js';
import { duplicatesSettings, priorityFor } from '@tierline/domain';
import { activeMaintenanceFor, addAutoLink, findByIdempotencyKey, insertTicket, latestPublished, openMajorIncidentFor } from '@tierline/ticket-store';
import { sendAutoLink } from '../auto-link.js';
import { authErrorResponses, badRequestResponse, unavailableResponse } from './common.js';

export const createTicketRoute = createRoute({
  method: 'post',
  path: '/api/v1/tickets',
  tags: ['Tickets'],
  summary: 'Open a ticket',
  description:
    'Stores the ticket and starts its escalation workflow `ticket-<id>`. Send an `Idempotency-Key` header to make retries safe: a repeated key returns the ticket already created.',
  security: [{ bearerAuth: [] }],
  request: {
    headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }),
    body: { required: true, content: { 'application/json': { schema: CreateTicketRequestSchema } } },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: TicketSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...unavailableResponse,
  },
});

export function registerCreateTicket(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(createTicketRoute, async (c) => {
    const { sql, categories } = c.get('deps');
    const actor = c.get('actor');
    const body = c.req.valid('json');
    const idempotencyKey = c.req.valid('header')['idempotency-key'];

    if (!categories.includes(body.category)) {
      throw new AppError('BAD_REQUEST', `invalid request: category`, [
        { path: 'category', message: `unknown category "${body.category}"; expected one of ${categories.join(', ')}` },
      ]);
    }
    if (!canOpenTicketFor(actor, body.siteId)) {
      throw new AppError('FORBIDDEN', `you may not open tickets for site "${body.siteId}"`);
    }
    const existing = idempotencyKey ? await findByIdempotencyKey(sql, actor.id, idempotencyKey) : null;
    if (existing) return c.json(existing, 201, { 'idempotent-replayed': 'true', location: `/api/v1/tickets/${existing.id}` });
    const ticket = await openTicket(c.get('deps'), { id: actor.id, role: actor.primaryRole }, body, idempotencyKey ?? null);
    return c.json(ticket, 201, { location: `/api/v1/tickets/${ticket.id}` });
  });
}

/**
 * Stores a ticket and starts its workflow, for `opener`: the portal's route above and the inbound
 * email route (v1_inbound_email.ts) open tickets the same way. The caller has checked the
 * category and who may open it for the site.
 */
export async function openTicket(
  deps: Pick<TicketDeps, 'sql' | 'temporal' | 'taskQueue' | 'logger'>,
  opener: { id: string; role: Role },
  body: CreateTicketRequest,
  idempotencyKey: string | null,
): Promise<Ticket> {
  const { sql, temporal, taskQueue, logger } = deps;
  const id = randomUUID();
  annotateTicket(id);
  const workflowId = ticketWorkflowId(id);
  // Every new ticket runs on the newest published policy version, which it then keeps.
  const current = await latestPublished(sql);
  if (!current) throw new AppError('UNAVAILABLE', 'no escalation policy is published yet; an IT lead must publish one');
  const priority = priorityFor(current.policy, body.impact, body.urgency, body.patientCareAffected);
  // The row and the workflow start commit together: if Temporal refuses, the row rolls back
  // and the caller gets 503; if this process dies after the start, the workflow's first
  // activity writes the row itself. Either way no ticket exists without its workflow.
  let autoLinkTo: string | null = null;
  const ticket = await sql.begin(async (tx) => {
    const t: Ticket = await insertTicket(tx, {
      id,
      title: body.title,
      description: body.description,
      category: body.category,
      siteId: body.siteId,
      requesterId: opener.id,
      impact: body.impact,
      urgency: body.urgency,
      patientCareAffected: body.patientCareAffected,
      priority,
      policyVersion: current.version,
      workflowId,
      idempotencyKey,
    });
    // The policy links it to the open major incident of its site and category: the link is
    // written with the ticket and sent after the commit, again until it is made (auto-link.ts).
    if (duplicatesSettings(current.policy).autoLink) {
      const parent = await openMajorIncidentFor(tx, t.siteId, t.category, t.id);
      if (parent) {
        await addAutoLink(tx, t.id, parent.id);
        autoLinkTo = parent.id;
      }
    }
    // A maintenance window running in its scope holds its clocks until the window ends (decision 43);
    // the window's row stays share-locked until this commits, so a change to it then reaches this ticket.
    const maintenance = await activeMaintenanceFor(tx, t.siteId, t.category, new Date(t.createdAt));
    const input: TicketWorkflowInput = { ticket: t, openedBy: opener, policy: current, ...(maintenance ? { maintenance } : {}) };
    try {
      await temporal.workflow.start(TICKET_WORKFLOW_TYPE, {
        taskQueue,
        workflowId,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: searchAttributesFor(t),
      });
    } catch (err) {
      logger.error({ err, ticketId: id }, 'could not start ticket workflow');
      throw new AppError('UNAVAILABLE', 'the escalation engine is unreachable; the ticket was not created, please retry');
    }
    return t;
  });
  logger.info({ ticketId: ticket.id, number: ticket.number, priority: ticket.priority }, 'ticket opened');
  // Whatever happens here, the row stays pending until the retry loop has made the link.
  if (autoLinkTo) await sendAutoLink(deps, { childTicketId: ticket.id, parentTicketId: autoLinkTo });
  return ticket;
}

