import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ErrorEnvelopeSchema, type Ticket } from '@tierline/contracts';
import { AppError, type Actor } from '@tierline/platform';
import { getStateQuery, vendorAcknowledgeUpdate, type TicketStateView } from '@tierline/ticket-workflow';
import type { TicketAppEnv, TicketDeps } from '../deps.js';
import { vendorTicketView } from '../access.js';
import { findTicket } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';
import { ResultSchema, runTicketUpdate } from './v1_tickets_actions.js';

/**
 * A vendor acknowledging through a signed link has no Keycloak session: the identity service
 * verified the link (signature, expiry, single use, recipient) and acts for the vendor with its
 * own service account. Only that service account may call these routes (and the requester
 * links' routes, v1_tickets_requester_link.ts).
 */
export const VENDOR_LINK_CLIENT = 'tierline-identity';

export function requireIdentityService(actor: Actor): void {
  if (actor.serviceClient !== VENDOR_LINK_CLIENT) throw new AppError('FORBIDDEN', `only the ${VENDOR_LINK_CLIENT} service account acts on signed links`);
}

const params = z.object({ id: z.uuid() });
const vendorOrgId = z.string().min(1).max(64).regex(/^[a-z][a-z0-9_-]*$/, 'a vendor organisation id');

export async function ticketOr404(deps: TicketDeps, id: string): Promise<Ticket> {
  const ticket = await findTicket(deps.sql, id);
  if (!ticket) throw new AppError('NOT_FOUND', `no ticket ${id}`);
  return ticket;
}

/**
 * Why the ticket is not waiting for this vendor's acknowledgement, or null when it is. Read from
 * the workflow's own state (the ticket row is a read model that may lag); the workflow's
 * validator checks again when the update runs, except the organisation, which only this knows.
 */
async function notWaitingReason(deps: TicketDeps, ticket: Ticket, vendor: string): Promise<string | null> {
  let state: TicketStateView;
  try {
    state = await deps.temporal.workflow.getHandle(ticket.workflowId).query(getStateQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return `${ticket.number} has ended`;
    deps.logger.error({ err, ticketId: ticket.id }, 'vendor link check: workflow query failed');
    throw new AppError('UNAVAILABLE', 'the escalation engine is unreachable; nothing was changed, please retry');
  }
  if (state.status === 'resolved' || state.status === 'closed') return `${ticket.number} is ${state.status}`;
  if (state.tier !== 3 || state.vendorOrgId !== vendor) return `${ticket.number} is no longer escalated to ${vendor}`;
  const vendorResponse = state.clocks.find((c) => c.name === 'vendor_response');
  if (vendorResponse?.state === 'stopped') return `the vendor already acknowledged ${ticket.number}`;
  return null;
}

const CheckSchema = z
  .object({
    ticketNumber: z.string(),
    waitingForVendor: z.boolean(),
    reason: z.string().nullable().openapi({ description: 'Why not, when it is not waiting for this vendor.' }),
  })
  .openapi('VendorLinkCheck');

export const vendorLinkCheckRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/{id}/vendor-link-check',
  tags: ['Vendor links'],
  summary: "Whether the ticket still waits for this vendor's acknowledgement (identity service only)",
  description:
    'The identity service asks before it shows a vendor the page of a signed link, so a link of a ticket that moved on ' +
    `says so at once. Callable only by the ${VENDOR_LINK_CLIENT} service account.`,
  security: [{ bearerAuth: [] }],
  request: { params, query: z.object({ vendorOrgId }) },
  responses: {
    200: { description: 'The answer', content: { 'application/json': { schema: CheckSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...unavailableResponse,
  },
});

const AckBodySchema = z
  .object({
    linkId: z.uuid().openapi({ description: 'The signed link used, for the logs.' }),
    vendorUserId: z.string().min(1).max(64).openapi({ description: "The link's recipient, a vendor user; recorded as who acknowledged." }),
    vendorOrgId,
  })
  .strict()
  .openapi('VendorLinkAcknowledge');

export const vendorLinkAcknowledgeRoute = createRoute({
  method: 'post',
  path: '/api/v1/tickets/{id}/vendor-link-acknowledge',
  tags: ['Vendor links'],
  summary: "A vendor's acknowledgement through a signed link (identity service only)",
  description:
    "Runs the workflow's vendor-acknowledge update for the link's recipient with `via: signed_link`: the vendor " +
    `contract clock moves from response to resolution. Callable only by the ${VENDOR_LINK_CLIENT} service account, after it verified the link.`,
  security: [{ bearerAuth: [] }],
  request: { params, body: { required: true, content: { 'application/json': { schema: AckBodySchema } } } },
  responses: {
    200: { description: 'Acknowledged; the ticket and its escalation state', content: { 'application/json': { schema: ResultSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    409: { description: 'The ticket is not waiting for this vendor (any more); the message says why', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
    ...unavailableResponse,
  },
});

export function registerVendorLinkAcknowledge(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(vendorLinkCheckRoute, async (c) => {
    requireIdentityService(c.get('actor'));
    const deps = c.get('deps');
    const ticket = await ticketOr404(deps, c.req.valid('param').id);
    const reason = await notWaitingReason(deps, ticket, c.req.valid('query').vendorOrgId);
    return c.json({ ticketNumber: ticket.number, waitingForVendor: reason === null, reason }, 200);
  });

  app.openapi(vendorLinkAcknowledgeRoute, async (c) => {
    requireIdentityService(c.get('actor'));
    const deps = c.get('deps');
    const body = c.req.valid('json');
    const ticket = await ticketOr404(deps, c.req.valid('param').id);
    const reason = await notWaitingReason(deps, ticket, body.vendorOrgId);
    if (reason) throw new AppError('CONFLICT', reason);
    const escalation = await runTicketUpdate(deps, ticket, 'vendor-acknowledge', vendorAcknowledgeUpdate, {
      actor: { id: body.vendorUserId, role: 'vendor' },
      via: 'signed_link',
    });
    deps.logger.info({ ticketId: ticket.id, linkId: body.linkId }, 'vendor acknowledged through a signed link');
    // Answered to the identity service, about a vendor's acknowledgement: the vendor's view.
    const after = vendorTicketView((await findTicket(deps.sql, ticket.id))!);
    return c.json({ ticket: after, escalation }, 200);
  });
}
