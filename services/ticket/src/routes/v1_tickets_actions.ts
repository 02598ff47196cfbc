import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { EscalationStateSchema, PrioritySchema, type EscalationState, TicketSchema, type Role, type Ticket } from '@tierline/contracts';
import { AppError, hasRole, zodIssuesToDetails, type Actor } from '@tierline/platform';
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
} from '@tierline/ticket-workflow';
import type { UpdateDefinition } from '@temporalio/client';
import type { TicketAppEnv, TicketDeps } from '../deps.js';
import { canReadTicket, ticketViewFor } from '../access.js';
import { findTicket } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';
import { ErrorEnvelopeSchema } from '@tierline/contracts';

const IT: Role[] = ['it_agent', 'it_lead'];

/**
 * Who may take an action on a ticket they can see. Roles first; `extra` narrows further on the
 * object (e.g. a clinic nurse closes only tickets of her site, a vendor acts only while the
 * ticket is with its organisation — canReadTicket already guarantees that).
 */
interface ActionSpec<B extends z.ZodType, A, R> {
  name: string;
  path: string;
  summary: string;
  description: string;
  body: B;
  roles: Role[];
  allow?: (actor: Actor, t: Ticket, body: z.output<B>) => string | null;
  /** The workflow update the action runs, typed by its argument and its result. */
  update: UpdateDefinition<R, [A], string>;
  args: (by: ActionBy, body: z.output<B>) => A;
  /** What the update returns (answered as `escalation`) and the documented 200 answer. */
  result: ActionResult<R>;
}

interface ActionResult<R> {
  escalation: z.ZodType<R>;
  response: z.ZodType;
}

/** An action of the table, its body, argument and result types kept inside: it registers its own route. */
interface TicketAction {
  name: string;
  register: (app: OpenAPIHono<TicketAppEnv>) => void;
}

const reason = z.string().trim().min(3).max(2000);

function spec<B extends z.ZodType, A, R>(s: ActionSpec<B, A, R>): TicketAction {
  return { name: s.name, register: (app) => registerAction(app, s) };
}

export const ResultSchema = z
  .object({ ticket: TicketSchema, escalation: EscalationStateSchema })
  .openapi('TicketActionResult');

/** A comment changes no clock: the workflow answers with the id of the comment it recorded. */
const CommentResultSchema = z.object({ commentId: z.string() });

const STATE_RESULT: ActionResult<EscalationState> = { escalation: EscalationStateSchema, response: ResultSchema };
const COMMENT_RESULT: ActionResult<{ commentId: string }> = {
  escalation: CommentResultSchema,
  response: z.object({ ticket: TicketSchema, escalation: CommentResultSchema }).openapi('TicketCommentResult'),
};

export const ACTIONS: TicketAction[] = [
  spec({
    name: 'acknowledge',
    path: 'acknowledge',
    summary: 'Acknowledge: stops the response clock and its escalations',
    description: 'IT takes the ticket. The acknowledging agent becomes the assignee if none is set.',
    body: z.object({}).strict(),
    roles: IT,
    update: acknowledgeUpdate,
    result: STATE_RESULT,
    args: (by) => by,
  }),
  spec({
    name: 'assign',
    path: 'assign',
    summary: 'Assign to a team and/or a person',
    description: 'Sets team and/or assignee; null clears.',
    body: z.object({ teamId: z.string().min(1).nullable().optional(), assigneeId: z.string().min(1).nullable().optional() }).strict(),
    roles: IT,
    update: assignUpdate,
    result: STATE_RESULT,
    args: (by, b) => ({ ...by, ...b }),
  }),
  spec({
    name: 'priority',
    path: 'priority',
    summary: 'Change the priority (reason required); deadlines are recomputed',
    description: 'Elapsed clock time is kept; targets and levels follow the new priority.',
    body: z.object({ priority: PrioritySchema, reason }).strict(),
    roles: IT,
    update: changePriorityUpdate,
    result: STATE_RESULT,
    args: (by, b) => ({ ...by, ...b, reasonId: randomUUID() }),
  }),
  spec({
    name: 'wait',
    path: 'wait-on-requester',
    summary: 'Wait on the requester: pauses the clinic clocks',
    description: 'The clocks resume when IT resumes or the requester replies publicly.',
    body: z.object({ reason: z.string().max(2000).optional().openapi({ description: 'The question for the requester; stored with the ticket as a public note.' }) }).strict(),
    roles: IT,
    update: waitOnRequesterUpdate,
    result: STATE_RESULT,
    args: (by, b) => ({ ...by, ...b, questionId: randomUUID() }),
  }),
  spec({
    name: 'resume',
    path: 'resume',
    summary: 'Resume after waiting on the requester',
    description: 'Restarts the paused clocks where they stopped.',
    body: z.object({}).strict(),
    roles: IT,
    update: resumeUpdate,
    result: STATE_RESULT,
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
    update: handToVendorUpdate,
    result: STATE_RESULT,
    args: (by, b) => ({ ...by, ...b, noteId: randomUUID() }),
  }),
  spec({
    name: 'vendorAcknowledge',
    path: 'vendor-acknowledge',
    summary: 'Vendor acknowledges: its clock moves from response to resolution',
    description: 'For vendor users of the organisation the ticket is escalated to.',
    body: z.object({}).strict(),
    roles: ['vendor'],
    update: vendorAcknowledgeUpdate,
    result: STATE_RESULT,
    args: (by) => ({ ...by, via: 'portal' }),
  }),
  spec({
    name: 'resolve',
    path: 'resolve',
    summary: 'Resolve: stops every clock',
    description: 'IT, or the vendor while the ticket is with it.',
    body: z.object({ resolution: reason }).strict(),
    roles: [...IT, 'vendor'],
    update: resolveUpdate,
    result: STATE_RESULT,
    args: (by, b) => ({ ...by, ...b, resolutionId: randomUUID() }),
  }),
  spec({
    name: 'reopen',
    path: 'reopen',
    summary: 'Reopen a resolved ticket',
    description: "The resolution clock restarts or resumes as the ticket's policy says.",
    body: z.object({ reason }).strict(),
    roles: [...IT, 'clinic_staff'],
    update: reopenUpdate,
    result: STATE_RESULT,
    args: (by, b) => ({ ...by, ...b, reasonId: randomUUID() }),
  }),
  spec({
    name: 'close',
    path: 'close',
    summary: 'Close a resolved ticket (the requester confirms the resolution)',
    description: 'Ends the ticket and its workflow.',
    body: z.object({}).strict(),
    roles: [...IT, 'clinic_staff'],
    update: closeUpdate,
    result: STATE_RESULT,
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
    update: commentUpdate,
    result: COMMENT_RESULT,
    args: (by, b) => ({ ...by, commentId: randomUUID(), body: b.body, visibility: b.visibility }),
  }),
];

/**
 * Runs one action as an update of the ticket's workflow and maps what can go wrong: the
 * workflow's validator refused (409 with its message), the workflow has ended (409), Temporal is
 * unreachable (503; nothing changed). Shared by every route that acts on a ticket's workflow.
 */
export async function runTicketUpdate<A, R>(
  deps: Pick<TicketDeps, 'temporal' | 'logger'>,
  ticket: Pick<Ticket, 'id' | 'number' | 'workflowId'>,
  action: string,
  update: UpdateDefinition<R, [A], string>,
  arg: A,
  opts: { updateId?: string } = {},
): Promise<R> {
  try {
    return await deps.temporal.workflow.getHandle(ticket.workflowId).executeUpdate(update, { args: [arg], ...(opts.updateId ? { updateId: opts.updateId } : {}) });
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
  for (const a of ACTIONS) a.register(app);
}

function registerAction<B extends z.ZodType, A, R>(app: OpenAPIHono<TicketAppEnv>, a: ActionSpec<B, A, R>): void {
  const bodySchema: z.ZodType = a.body;
  const route = createRoute({
    method: 'post',
    path: `/api/v1/tickets/{id}/${a.path}`,
    tags: ['Ticket actions'],
    summary: a.summary,
    description: `${a.description} Allowed roles: ${a.roles.join(', ')}.`,
    security: [{ bearerAuth: [] }],
    request: {
      params: z.object({ id: z.uuid() }),
      // The route validates the body (400 naming each field); the handler reads it typed by a.body.
      body: { required: false, content: { 'application/json': { schema: bodySchema } } },
    },
    responses: {
      200: {
        description: 'Done; the ticket and its escalation state',
        content: { 'application/json': { schema: a.result.response } },
      },
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
    const ticket = await findTicket(sql, id);
    if (!ticket || !canReadTicket(actor, ticket)) throw new AppError('NOT_FOUND', `no ticket ${id}`);
    if (!hasRole(actor, ...a.roles)) throw new AppError('FORBIDDEN', `your role may not ${a.name} tickets`);
    // A JSON body was validated by the route already (parsing it again only gives it its type); a
    // request without one is checked here, as an empty object, so it is refused the same way.
    const parsed = a.body.safeParse(c.req.valid('json') ?? {});
    if (!parsed.success) {
      const details = zodIssuesToDetails(parsed.error.issues);
      throw new AppError('BAD_REQUEST', `invalid request in json: ${details.map((d) => d.path).join(', ')}`, details);
    }
    const body = parsed.data;
    const denied = a.allow?.(actor, ticket, body);
    if (denied) throw new AppError('FORBIDDEN', denied);
    const by: ActionBy = { actor: { id: actor.id, role: actor.primaryRole } };
    const escalation = await runTicketUpdate({ temporal, logger }, ticket, a.name, a.update, a.args(by, body));
    const after = (await findTicket(sql, id))!;
    return c.json({ ticket: ticketViewFor(actor, after), escalation }, 200);
  });
}
