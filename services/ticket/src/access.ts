import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, TICKET_CONTENT_READ, type Ticket, type TicketContentReadData } from '@tierline/contracts';
import { AppError, hasRole, publishEvent, type Actor } from '@tierline/platform';
import type { TicketDeps } from './deps.js';
import { findTicket } from './tickets-repo.js';

type Visible = Pick<Ticket, 'siteId' | 'requesterId' | 'vendorOrgId' | 'tier'>;

/**
 * Object-level rule of the people who work or reported a ticket: IT works every ticket; clinic
 * staff see their own and their sites' tickets; a vendor sees a ticket only while it is escalated
 * to its organisation. These read without an audit record, and only they may act on a ticket.
 */
export function canReadTicket(actor: Actor, t: Visible): boolean {
  if (hasRole(actor, 'it_agent', 'it_lead')) return true;
  if (hasRole(actor, 'clinic_staff') && (t.requesterId === actor.id || actor.sites.includes(t.siteId))) return true;
  if (hasRole(actor, 'vendor') && actor.vendorOrg !== null && t.tier === 3 && t.vendorOrgId === actor.vendorOrg) return true;
  return false;
}

/**
 * How a caller may read one ticket's content: `direct` for the people of canReadTicket;
 * `audited` for admins and auditors, who oversee without working tickets: they read any ticket,
 * never change one, and every read is published as `ticket.content_read` before the answer
 * (docs/decisions/0010); null for everyone else, service accounts included.
 */
export function ticketReadAccess(actor: Actor, t: Visible): 'direct' | 'audited' | null {
  if (canReadTicket(actor, t)) return 'direct';
  if (!actor.isServiceAccount && hasRole(actor, 'admin', 'auditor')) return 'audited';
  return null;
}

/** Who may open a ticket for a site: IT anywhere, clinic staff for their own sites. */
export function canOpenTicketFor(actor: Actor, siteId: string): boolean {
  if (hasRole(actor, 'it_agent', 'it_lead')) return true;
  return hasRole(actor, 'clinic_staff') && actor.sites.includes(siteId);
}

/**
 * Internal notes are IT's working space, for IT only. Admins and auditors do not read them
 * either: the timeline they see still shows that a note was added, when and by whom.
 */
export function canSeeInternal(actor: Actor): boolean {
  return hasRole(actor, 'it_agent', 'it_lead');
}

/**
 * The ticket `id` if the caller may read `what` of it, after recording an admin's or auditor's
 * read. A ticket the caller may not see is reported as missing, so ids cannot be probed. The
 * record is published (and acknowledged by JetStream) before any content leaves: if it cannot
 * be, the read is refused with 503 rather than happening unrecorded.
 */
export async function readableTicket(
  deps: Pick<TicketDeps, 'sql' | 'js' | 'logger'>,
  actor: Actor,
  id: string,
  what: TicketContentReadData['what'],
): Promise<Ticket> {
  const ticket = await findTicket(deps.sql, id);
  const access = ticket ? ticketReadAccess(actor, ticket) : null;
  if (!ticket || !access) throw new AppError('NOT_FOUND', `no ticket ${id}`);
  if (access === 'audited') await recordContentRead(deps, actor, ticket, what);
  return ticket;
}

async function recordContentRead(deps: Pick<TicketDeps, 'js' | 'logger'>, actor: Actor, ticket: Ticket, what: TicketContentReadData['what']): Promise<void> {
  const refused = new AppError('UNAVAILABLE', 'this read cannot be recorded in the audit trail right now, so it is refused; please retry');
  if (!deps.js) throw refused;
  const data: TicketContentReadData = { number: ticket.number, what };
  try {
    await publishEvent(deps.js, {
      id: randomUUID(),
      type: TICKET_CONTENT_READ,
      occurredAt: new Date().toISOString(),
      actor: { kind: 'user', id: actor.id, role: actor.primaryRole },
      ticketId: ticket.id,
      data,
      schemaVersion: EVENT_SCHEMA_VERSION,
    });
  } catch (err) {
    deps.logger.error({ err, ticketId: ticket.id, what }, 'audited ticket read refused: the read event could not be published');
    throw refused;
  }
}
