/**
 * What the incident routes share (docs/decisions/0041): who may run incidents, the checks before a
 * ticket becomes a parent or a child, and the schemas of the answers. The links themselves live in
 * the workflows; these routes check what they can name clearly, then ask the parent's workflow.
 */
import { z } from '@hono/zod-openapi';
import { ErrorEnvelopeSchema, type EscalationState, type IncidentState, type Role, type Ticket } from '@tierline/contracts';
import { AppError, hasRole, type Actor } from '@tierline/platform';
import { CLOSED_STATUSES, findTicket, listIncidentChildren, listIncidentStatuses, type Db } from '@tierline/ticket-store';
import { canReadTicket, isVendorView } from '../access.js';

/** IT runs incidents: declares, links, unlinks, posts their status. */
export const INCIDENT_ROLES: Role[] = ['it_agent', 'it_lead'];

export function requireIncidentRole(actor: Actor, what: string): void {
  if (!hasRole(actor, ...INCIDENT_ROLES)) throw new AppError('FORBIDDEN', `only IT may ${what}`);
}

export const conflictResponse = {
  409: { description: 'Not possible in the tickets’ current state; the message says why', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
};

export const isOpen = (t: Pick<Ticket, 'status'>): boolean => !CLOSED_STATUSES.includes(t.status);

/** The open major incident `id`, or the 4xx that says why not. */
export async function openIncident(sql: Db, id: string): Promise<Ticket> {
  const parent = await findTicket(sql, id);
  if (!parent) throw new AppError('NOT_FOUND', `no ticket ${id}`);
  if (!parent.majorIncident) throw new AppError('CONFLICT', `${parent.number} is not a major incident; declare it one first`);
  if (!isOpen(parent)) throw new AppError('CONFLICT', `${parent.number} is ${parent.status}; its incident is over`);
  return parent;
}

/** A ticket that may be declared a major incident: open, and not the child of another one. */
export async function declarableTicket(sql: Db, t: Ticket): Promise<void> {
  if (!isOpen(t)) throw new AppError('CONFLICT', `${t.number} is ${t.status}; only an open ticket can become a major incident`);
  if (t.incidentParentId) {
    const parent = await findTicket(sql, t.incidentParentId);
    throw new AppError('CONFLICT', `${t.number} is linked to the major incident ${parent?.number ?? t.incidentParentId}; unlink it first`);
  }
}

/**
 * The ticket `childId` that may be linked to `parent`: it exists, is not the parent, is open, is
 * not a major incident itself and not linked to another one. Linked to this parent already is
 * fine (linking is idempotent per child). Each refusal names the ticket and the problem.
 */
export async function linkableChild(sql: Db, parent: Ticket, childId: string): Promise<Ticket> {
  const bad = (message: string) => new AppError('BAD_REQUEST', `invalid request: ticketId`, [{ path: 'ticketId', message }]);
  if (childId === parent.id) throw bad(`${parent.number} cannot be linked to itself`);
  const child = await findTicket(sql, childId);
  if (!child) throw bad(`no ticket ${childId}`);
  if (!isOpen(child)) throw new AppError('CONFLICT', `${child.number} is ${child.status}; only an open ticket can be linked`);
  if (child.majorIncident) throw new AppError('CONFLICT', `${child.number} is a major incident itself; a major incident cannot be another one's child`);
  if (child.incidentParentId && child.incidentParentId !== parent.id) {
    const other = await findTicket(sql, child.incidentParentId);
    throw new AppError('CONFLICT', `${child.number} is already linked to the major incident ${other?.number ?? child.incidentParentId}; unlink it there first`);
  }
  return child;
}

export const IncidentStatusSchema = z
  .object({
    id: z.uuid(),
    message: z.string(),
    postedBy: z.string(),
    postedAt: z.iso.datetime({ offset: true }),
    nextUpdateAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .openapi('IncidentStatus');

export const IncidentChildSchema = z
  .object({ id: z.uuid(), number: z.string(), title: z.string(), siteId: z.string(), status: z.string(), priority: z.string() })
  .openapi('IncidentChild');

export const IncidentViewSchema = z
  .object({
    ticketId: z.uuid(),
    number: z.string(),
    majorIncident: z.boolean(),
    parent: z.object({ id: z.uuid(), number: z.string() }).nullable().openapi({ description: 'The major incident this ticket is a child of.' }),
    children: z.array(IncidentChildSchema).openapi({ description: 'The tickets linked to this major incident, with their numbers; only those the caller may see.' }),
    statuses: z.array(IncidentStatusSchema).openapi({ description: 'What IT posted, newest first.' }),
  })
  .openapi('IncidentView');
export type IncidentView = z.infer<typeof IncidentViewSchema>;

/** What the ticket's workflow says of its incident (the escalation state's `incident`, ahead of the read model). */
export type WorkflowIncident = IncidentState | null;

/** The `incident` of an escalation state a workflow update answered, when it has one. */
export function workflowIncident(escalation: Pick<EscalationState, 'incident'>): WorkflowIncident | undefined {
  return escalation.incident;
}

/**
 * The incident side of `t` as `actor` may see it: the children they may read, the vendor without
 * their words. `known`: what the workflow just answered, which the read model may not show yet.
 */
export async function incidentView(sql: Db, actor: Actor, t: Ticket, known?: WorkflowIncident): Promise<IncidentView> {
  const majorIncident = known !== undefined ? known?.role === 'major' : t.majorIncident;
  const parentId = known !== undefined ? (known?.role === 'child' ? known.parentTicketId : null) : t.incidentParentId;
  const parent = parentId ? await findTicket(sql, parentId) : null;
  const children = majorIncident ? await listIncidentChildren(sql, t.id, known?.role === 'major' ? known.children : undefined) : [];
  const statuses = majorIncident && !isVendorView(actor) ? await listIncidentStatuses(sql, t.id) : [];
  return {
    ticketId: t.id,
    number: t.number,
    majorIncident,
    parent: parent ? { id: parent.id, number: parent.number } : null,
    children: children
      .filter((c) => canReadTicket(actor, { ...c, tier: 1, vendorOrgId: null }))
      .map((c) => ({ id: c.id, number: c.number, title: c.title, siteId: c.siteId, status: c.status, priority: c.priority })),
    statuses: statuses.map((s) => ({ id: s.id, message: s.message, postedBy: s.postedBy, postedAt: s.postedAt, nextUpdateAt: s.nextUpdateAt })),
  };
}
