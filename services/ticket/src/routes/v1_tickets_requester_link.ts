import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ErrorEnvelopeSchema, SatisfactionSchema, type Ticket } from '@tierline/contracts';
import { AppError, type Actor } from '@tierline/platform';
import { closeUpdate, getStateQuery, reopenUpdate, type TicketStateView } from '@tierline/ticket-workflow';
import { listSatisfaction, policyOutbox, recordSatisfaction } from '@tierline/ticket-store';
import type { TicketAppEnv, TicketDeps } from '../deps.js';
import { canSeeInternal, readableTicket } from '../access.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';
import { runTicketUpdate } from './v1_tickets_actions.js';
import { requireIdentityService, ticketOr404, VENDOR_LINK_CLIENT } from './v1_tickets_vendor_link_ack.js';

/**
 * A requester answering "Fixed" / "Not fixed" through the links in her resolved message has no
 * Keycloak session: the identity service verified the link (signature, expiry, single use) and
 * acts for her with its own service account (docs/decisions/0035). These routes check that she
 * is the ticket's requester and act in her name; only that service account may call them.
 */

const params = z.object({ id: z.uuid() });
const requesterId = z.string().min(1).max(64).openapi({ description: "The link's recipient; must be the ticket's requester, and is recorded as who acted." });
const linkId = z.uuid().openapi({ description: 'The requester link used, for the logs and as the key of the satisfaction answer.' });

/** The requester acts as clinic staff: the role that reports tickets. */
const asRequester = (ticket: Ticket) => ({ actor: { id: ticket.requesterId, role: 'clinic_staff' as const } });

function requireRequester(ticket: Ticket, who: string): void {
  if (ticket.requesterId !== who) throw new AppError('FORBIDDEN', `${who} is not the requester of ${ticket.number}`);
}

/** The workflow's own status (the row may lag); `closed` once the workflow has ended. */
async function workflowStatus(deps: TicketDeps, ticket: Ticket): Promise<string> {
  try {
    const state: TicketStateView = await deps.temporal.workflow.getHandle(ticket.workflowId).query(getStateQuery);
    return state.status;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'closed';
    deps.logger.error({ err, ticketId: ticket.id }, 'requester link check: workflow query failed');
    throw new AppError('UNAVAILABLE', 'the escalation engine is unreachable; nothing was changed, please retry');
  }
}

const CheckSchema = z
  .object({
    ticketNumber: z.string(),
    status: z.string().openapi({ description: "The workflow's status of the ticket." }),
    isRequester: z.boolean(),
    answerable: z.boolean().openapi({ description: 'Resolved, and the person is its requester: "Fixed" and "Not fixed" can act.' }),
  })
  .openapi('RequesterLinkCheck');

export const requesterLinkCheckRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}/requester-link-check',
  tags: ['Requester links'],
  summary: 'Whether the ticket still takes a "Fixed" / "Not fixed" answer from this person (identity service only)',
  description: `The identity service asks before it shows a requester link's page. Callable only by the ${VENDOR_LINK_CLIENT} service account.`,
  security: [{ bearerAuth: [] }],
  request: { params, query: z.object({ requesterId }) },
  responses: {
    200: { description: 'The answer', content: { 'application/json': { schema: CheckSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...unavailableResponse,
  },
});

const conflict = { 409: { description: 'The ticket is not resolved (any more); the message says why', content: { 'application/json': { schema: ErrorEnvelopeSchema } } } };
const ActedSchema = z.object({ ticketNumber: z.string(), status: z.string() }).openapi('RequesterLinkActed');
const acted = { 200: { description: 'Done; the ticket number and its status now', content: { 'application/json': { schema: ActedSchema } } } };

export const requesterLinkCloseRoute = createRoute({
  method: 'post',
  path: '/api/v1/tickets/{id}/requester-link-close',
  tags: ['Requester links'],
  summary: '"Fixed": the requester confirms the resolution and the ticket closes (identity service only)',
  description: `Runs the workflow's close update as the ticket's requester. Callable only by the ${VENDOR_LINK_CLIENT} service account, after it verified the link.`,
  security: [{ bearerAuth: [] }],
  request: { params, body: { required: true, content: { 'application/json': { schema: z.object({ linkId, requesterId }).strict().openapi('RequesterLinkClose') } } } },
  responses: { ...acted, ...badRequestResponse, ...authErrorResponses, ...notFoundResponse, ...conflict, ...unavailableResponse },
});

export const requesterLinkReopenRoute = createRoute({
  method: 'post',
  path: '/api/v1/tickets/{id}/requester-link-reopen',
  tags: ['Requester links'],
  summary: '"Not fixed": the requester reopens the ticket with her reason (identity service only)',
  description:
    "Runs the workflow's reopen update as the ticket's requester; the reason is stored with the ticket as a public note and " +
    `the ticket.reopened event names it by id. Callable only by the ${VENDOR_LINK_CLIENT} service account, after it verified the link.`,
  security: [{ bearerAuth: [] }],
  request: {
    params,
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ linkId, requesterId, reason: z.string().trim().min(3).max(2000) }).strict().openapi('RequesterLinkReopen') } },
    },
  },
  responses: { ...acted, ...badRequestResponse, ...authErrorResponses, ...notFoundResponse, ...conflict, ...unavailableResponse },
});

const SatisfactionAnswerSchema = z
  .object({
    linkId: z.uuid(),
    ticketId: z.uuid(),
    requesterId: z.string(),
    rating: z.number().int().min(1).max(5),
    comment: z.string().nullable(),
    answeredAt: z.iso.datetime({ offset: true }),
  })
  .openapi('SatisfactionAnswer');

export const requesterLinkSatisfactionRoute = createRoute({
  method: 'post',
  path: '/api/v1/tickets/{id}/requester-link-satisfaction',
  tags: ['Requester links'],
  summary: 'The requester\'s answer to the satisfaction question after "Fixed" (identity service only)',
  description:
    'Stored with the ticket, once per link (a retry returns the stored answer), with a ticket.satisfaction_recorded event on the ' +
    `timeline and in the audit log (the rating, and whether there is a comment; never the comment). Callable only by the ${VENDOR_LINK_CLIENT} service account.`,
  security: [{ bearerAuth: [] }],
  request: {
    params,
    body: { required: true, content: { 'application/json': { schema: SatisfactionSchema.extend({ linkId, requesterId }).strict().openapi('RequesterLinkSatisfaction') } } },
  },
  responses: {
    200: { description: 'Recorded (or already recorded through this link)', content: { 'application/json': { schema: SatisfactionAnswerSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...unavailableResponse,
  },
});

export const ticketSatisfactionRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}/satisfaction',
  tags: ['Tickets'],
  summary: "The requester's satisfaction answers on this ticket (IT)",
  description: 'One answer per resolution the requester confirmed with "Fixed", oldest first. For IT agents and leads.',
  security: [{ bearerAuth: [] }],
  request: { params },
  responses: {
    200: { description: 'The answers', content: { 'application/json': { schema: z.object({ items: z.array(SatisfactionAnswerSchema) }).openapi('SatisfactionAnswers') } } },
    ...authErrorResponses,
    ...notFoundResponse,
    ...unavailableResponse,
  },
});

function requireIT(actor: Actor): void {
  if (!canSeeInternal(actor)) throw new AppError('FORBIDDEN', "only IT reads the requester's satisfaction answers");
}

export function registerRequesterLink(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(requesterLinkCheckRoute, async (c) => {
    requireIdentityService(c.get('actor'));
    const deps = c.get('deps');
    const ticket = await ticketOr404(deps, c.req.valid('param').id);
    const isRequester = ticket.requesterId === c.req.valid('query').requesterId;
    const status = await workflowStatus(deps, ticket);
    return c.json({ ticketNumber: ticket.number, status, isRequester, answerable: isRequester && status === 'resolved' }, 200);
  });

  app.openapi(requesterLinkCloseRoute, async (c) => {
    requireIdentityService(c.get('actor'));
    const deps = c.get('deps');
    const body = c.req.valid('json');
    const ticket = await ticketOr404(deps, c.req.valid('param').id);
    requireRequester(ticket, body.requesterId);
    const state = await runTicketUpdate(deps, ticket, 'close', closeUpdate, asRequester(ticket));
    deps.logger.info({ ticketId: ticket.id, linkId: body.linkId }, 'requester closed the ticket through a signed link');
    return c.json({ ticketNumber: ticket.number, status: state.status }, 200);
  });

  app.openapi(requesterLinkReopenRoute, async (c) => {
    requireIdentityService(c.get('actor'));
    const deps = c.get('deps');
    const body = c.req.valid('json');
    const ticket = await ticketOr404(deps, c.req.valid('param').id);
    requireRequester(ticket, body.requesterId);
    const state = await runTicketUpdate(deps, ticket, 'reopen', reopenUpdate, { ...asRequester(ticket), reason: body.reason, reasonId: randomUUID() });
    deps.logger.info({ ticketId: ticket.id, linkId: body.linkId }, 'requester reopened the ticket through a signed link');
    return c.json({ ticketNumber: ticket.number, status: state.status }, 200);
  });

  app.openapi(requesterLinkSatisfactionRoute, async (c) => {
    requireIdentityService(c.get('actor'));
    const deps = c.get('deps');
    const body = c.req.valid('json');
    const ticket = await ticketOr404(deps, c.req.valid('param').id);
    requireRequester(ticket, body.requesterId);
    const { answer, event } = await recordSatisfaction(deps.sql, {
      linkId: body.linkId,
      ticket,
      requester: asRequester(ticket).actor,
      rating: body.rating,
      comment: body.comment && body.comment.length > 0 ? body.comment : null,
    });
    // Published after the commit; if NATS does not take it now, the outbox flush sends it later.
    if (event) await policyOutbox.publish(deps.sql, deps.js, event, deps.logger);
    return c.json(answer, 200);
  });

  app.openapi(ticketSatisfactionRoute, async (c) => {
    const actor = c.get('actor');
    requireIT(actor);
    const deps = c.get('deps');
    const ticket = await readableTicket(deps, actor, c.req.valid('param').id, 'ticket');
    return c.json({ items: await listSatisfaction(deps.sql, ticket.id) }, 200);
  });
}
