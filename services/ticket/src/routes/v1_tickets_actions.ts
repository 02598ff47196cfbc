import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { PrioritySchema, TicketSchema, type Role, type Ticket } from '@tierline/contracts';
import { AppError, hasRole, type Actor } from '@tierline/platform';
import {
  acknowledgeUpdate,
  assignUpdate,
  changePriorityUpdate,
  closeUpdate,
  commentUpdate,
  handToVendorUpdate,
  reopenUpdate,
  resolveUpdate,
  resumeUpdate,
  vendorAcknowledgeUpdate,
  waitOnRequesterUpdate,
  type ActionBy,
} from '@tierline/workflows/definitions';
import type { UpdateDefinition } from '@temporalio/client';
import type { TicketAppEnv, TicketDeps } from '../deps.js';
import { canReadTicket, ticketViewFor } from '../access.js';
import { findTicket } from '../tickets-repo.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';
import { ErrorEnvelopeSchema } from '@tierline/contracts';

const IT: Role[] = ['it_agent', 'it_lead'];

/**
 * Who may take an action on a ticket they can see. Roles first; `extra` narrows further on the
 * object (e.g. a clinic nurse closes only tickets of her site, a vendor acts only while the
 * ticket is with its organisation — canReadTicket already guarantees that).
 */
interface ActionSpec<B extends z.ZodType> {
  name: string;
  path: string;
  summary: string;
  description: string;
  body: B;
  roles: Role[];
  allow?: (actor: Actor, t: Ticket, body: z.infer<B>) => string | null;
  update: UpdateDefinition<unknown, [never], string>;
  args: (by: ActionBy, body: z.infer<B>) => unknown;
}

const reason = z.string().trim().min(3).max(2000);

function spec<B extends z.ZodType>(s: ActionSpec<B>): ActionSpec<B> {
  return s;
}

export const ACTIONS = [
  spec({
    name: 'acknowledge',
    path: 'acknowledge',
    summary: 'Acknowledge: stops the response clock and its escalations',
    description: 'IT takes the ticket. The acknowledging agent becomes the assignee if none is set.',
    body: z.object({}).strict(),
    roles: IT,
    update: acknowledgeUpdate as never,
    args: (by) => by,
  }),
  spec({
    name: 'assign',
    path: 'assign',
    summary: 'Assign to a team and/or a person',
    description: 'Sets team and/or assignee; null clears.',
    body: z.object({ teamId: z.string().min(1).nullable().optional(), assigneeId: z.string().min(1).nullable().optional() }).strict(),
    roles: IT,
    update: assignUpdate as never,
    args: (by, b) => ({ ...by, ...b }),
  }),
  spec({
    name: 'priority',
    path: 'priority',
    summary: 'Change the priority (reason required); deadlines are recomputed',
    description: 'Elapsed clock time is kept; targets and levels follow the new priority.',
    body: z.object({ priority: PrioritySchema, reason }).strict(),
    roles: IT,
    update: changePriorityUpdate as never,
    args: (by, b) => ({ ...by, ...b, reasonId: randomUUID() }),
  }),
  spec({
    name: 'wait',
    path: 'wait-on-requester',
    summary: 'Wait on the requester: pauses the clinic clocks',
    description: 'The clocks resume when IT resumes or the requester replies publicly.',
    body: z.object({ reason: z.string().max(2000).optional().openapi({ description: 'The question for the requester; stored with the ticket as a public note.' }) }).strict(),
    roles: IT,
    update: waitOnRequesterUpdate as never,
    args: (by, b) => ({ ...by, ...b, questionId: randomUUID() }),
  }),
  spec({
    name: 'resume',
    path: 'resume',
    summary: 'Resume after waiting on the requester',
    description: 'Restarts the paused clocks where they stopped.',
    body: z.object({}).strict(),
    roles: IT,
    update: resumeUpdate as never,
    args: (by) => by,
  }),
  spec({
    name: 'handToVendor',
    path: 'hand-to-vendor',
    summary: 'Hand to the external vendor (tier 3): starts the vendor contract clock',
    description: "The vendor's contract clock runs on the vendor's calendar from this moment.",
    body: z
      .object({
        vendorOrgId: z.string().min(1),
        reason: z.string().max(2000).optional().openapi({ description: 'The hand-off note: what the vendor needs to know. The vendor reads it; the clinic does not.' }),
      })
      .strict(),
    roles: IT,
    update: handToVendorUpdate as never,
    args: (by, b) => ({ ...by, ...b, noteId: randomUUID() }),
  }),
  spec({
    name: 'vendorAcknowledge',
    path: 'vendor-acknowledge',
    summary: 'Vendor acknowledges: its clock moves from response to resolution',
    description: 'For vendor users of the organisation the ticket is escalated to.',
    body: z.object({}).strict(),
    roles: ['vendor'],
    update: vendorAcknowledgeUpdate as never,
    args: (by) => ({ ...by, via: 'portal' }),
  }),
  spec({
    name: 'resolve',
    path: 'resolve',
    summary: 'Resolve: stops every clock',
    description: 'IT, or the vendor while the ticket is with it.',
    body: z.object({ resolution: reason }).strict(),
    roles: [...IT, 'vendor'],
    update: resolveUpdate as never,
    args: (by, b) => ({ ...by, ...b, resolutionId: randomUUID() }),
  }),
  spec({
    name: 'reopen',
    path: 'reopen',
    summary: 'Reopen a resolved ticket',
    description: "The resolution clock restarts or resumes as the ticket's policy says.",
    body: z.object({ reason }).strict(),
    roles: [...IT, 'clinic_staff'],
    update: reopenUpdate as never,
    args: (by, b) => ({ ...by, ...b, reasonId: randomUUID() }),
  }),
  spec({
    name: 'close',
    path: 'close',
    summary: 'Close a resolved ticket (the requester confirms the resolution)',
    description: 'Ends the ticket and its workflow.',
    body: z.object({}).strict(),
    roles: [...IT, 'clinic_staff'],
    update: closeUpdate as never,
    args: (by) => by,
  }),
  spec({
    name: 'comment',
    path: 'comments',
    summary: 'Comment publicly, or add an internal note (IT only)',
    description: "A requester's public reply resumes a ticket that waits on the requester.",
    body: z.object({ body: z.string().trim().min(1).max(10_000), visibility: z.enum(['public', 'internal']).default('public') }).strict(),
    roles: [...IT, 'clinic_staff', 'vendor'],
    allow: (actor, _t, b) => (b.visibility === 'internal' && !hasRole(actor, ...IT) ? 'only IT can add internal notes' : null),
    update: commentUpdate as never,
    args: (by, b) => ({ ...by, commentId: randomUUID(), body: b.body, visibility: b.visibility }),
  }),
];

export const ResultSchema = z
  .object({ ticket: TicketSchema, escalation: z.record(z.string(), z.unknown()).openapi({ description: 'The workflow state after the action.' }) })
  .openapi('TicketActionResult');

/**
 * Runs one action as an update of the ticket's workflow and maps what can go wrong: the
 * workflow's validator refused (409 with its message), the workflow has ended (409), Temporal is
 * unreachable (503; nothing changed). Shared by every route that acts on a ticket's workflow.
 */
export async function runTicketUpdate(
  deps: Pick<TicketDeps, 'temporal' | 'logger'>,
  ticket: Pick<Ticket, 'id' | 'number' | 'workflowId'>,
  action: string,
  update: UpdateDefinition<unknown, [never], string>,
  arg: unknown,
): Promise<unknown> {
  try {
    return await deps.temporal.workflow.getHandle(ticket.workflowId).executeUpdate(update, { args: [arg as never] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      throw new AppError('CONFLICT', (err.cause)?.message ?? `cannot ${action} ${ticket.number} now`);
    }
    if (err instanceof WorkflowNotFoundError) throw new AppError('CONFLICT', `${ticket.number} has ended; nothing more can happen to it`);
    deps.logger.error({ err, ticketId: ticket.id, action }, 'ticket action failed');
    throw new AppError('UNAVAILABLE', 'the escalation engine is unreachable; nothing was changed, please retry');
  }
}

export function registerTicketActions(app: OpenAPIHono<TicketAppEnv>): void {
  for (const a of ACTIONS) {
    const route = createRoute({
      method: 'post',
      path: `/api/v1/tickets/{id}/${a.path}`,
      tags: ['Ticket actions'],
      summary: a.summary,
      description: `${a.description} Allowed roles: ${a.roles.join(', ')}.`,
      security: [{ bearerAuth: [] }],
      request: {
        params: z.object({ id: z.uuid() }),
        body: { required: false, content: { 'application/json': { schema: a.body } } },
      },
      responses: {
        200: { description: 'Done; the ticket and its escalation state', content: { 'application/json': { schema: ResultSchema } } },
        ...badRequestResponse,
        ...authErrorResponses,
        ...notFoundResponse,
        409: { description: 'Not possible in the ticket’s current state; the message says why', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
        ...unavailableResponse,
      },
    });
    app.openapi(route, async (c) => {
      const { sql, temporal, logger } = c.get('deps');
      const actor = c.get('actor');
      const { id } = c.req.valid('param');
      const body = (c.req.valid('json' as never) ?? {}) as never;
      const ticket = await findTicket(sql, id);
      if (!ticket || !canReadTicket(actor, ticket)) throw new AppError('NOT_FOUND', `no ticket ${id}`);
      if (!hasRole(actor, ...a.roles)) throw new AppError('FORBIDDEN', `your role may not ${a.name} tickets`);
      const denied = a.allow?.(actor, ticket, body);
      if (denied) throw new AppError('FORBIDDEN', denied);
      const by: ActionBy = { actor: { id: actor.id, role: actor.primaryRole } };
      const escalation = await runTicketUpdate({ temporal, logger }, ticket, a.name, a.update, a.args(by, body));
      const after = (await findTicket(sql, id))!;
      return c.json({ ticket: ticketViewFor(actor, after), escalation: escalation as Record<string, unknown> }, 200);
    });
  }
}
