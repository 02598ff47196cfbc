import { createHash } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, TICKET_CONTENT_READ, type Ticket, type TicketContentReadData } from '@tierline/contracts';
import { AppError, hasRole, publishEvent, type Actor, type JetStreamClient } from '@tierline/platform';
import type { TicketDeps } from './deps.js';
import { findTicket } from '@tierline/ticket-store';

type Visible = Pick<Ticket, 'siteId' | 'requesterId' | 'vendorOrgId' | 'tier'>;

/**
 * Object-level rule of the people who work or reported a ticket: IT works every ticket; clinic
 * staff see their own and their sites' tickets; a vendor sees a ticket only while it is escalated
 * to its organisation (and then only its facts, see ticketViewFor). Only they may act on a ticket.
 */
export function canReadTicket(actor: Actor, t: Visible): boolean {
  if (hasRole(actor, 'it_agent', 'it_lead')) return true;
  if (hasRole(actor, 'clinic_staff') && (t.requesterId === actor.id || actor.sites.includes(t.siteId))) return true;
  if (hasRole(actor, 'vendor') && actor.vendorOrg !== null && t.tier === 3 && t.vendorOrgId === actor.vendorOrg) return true;
  return false;
}

/**
 * How a caller may read one ticket's content: `direct` for the people of canReadTicket;
 * `audited` for admins and auditors, who oversee without working tickets: they read any ticket
 * and never change one (docs/decisions/0010); null for everyone else, service accounts included.
 * Either way the read is recorded as `ticket.content_read` before the answer (readableTicket).
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
 * A vendor works from the facts: number, category, site, priority, its contract clocks, and the
 * hand-off note IT writes for it (a note of kind `handoff_note`). The requester's words (title,
 * description) and the clinic's comments are not for it (docs/decisions/0022), so its view of a
 * ticket has them empty. Everyone else gets the ticket as it is.
 */
export function isVendorView(actor: Actor): boolean {
  return hasRole(actor, 'vendor') && !hasRole(actor, 'it_agent', 'it_lead', 'clinic_staff');
}

/** The ticket as `actor` may see it: see isVendorView. */
export function ticketViewFor<T extends Pick<Ticket, 'title' | 'description'>>(actor: Actor, t: T): T {
  return isVendorView(actor) ? vendorTicketView(t) : t;
}

/** The vendor's view of a ticket: the facts, without the requester's words. */
export function vendorTicketView<T extends Pick<Ticket, 'title' | 'description'>>(t: T): T {
  return { ...t, title: '', description: '' };
}

/**
 * The ticket `id` if the caller may read `what` of it, after recording the read. A ticket the
 * caller may not see is reported as missing, so ids cannot be probed. The record is published
 * (and acknowledged by JetStream) before any content leaves: if it cannot be, the read is refused
 * with 503 rather than happening unrecorded.
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
  await recordContentReads(deps, actor, [ticket], what);
  return ticket;
}

const HOUR_MS = 3_600_000;
/** Any fixed uuid: the namespace of content-read event ids (uuid v5, RFC 9562). */
const CONTENT_READ_NAMESPACE = Buffer.from('3f0e7a52c1d84b8e9a4c2b7d5e6f1a09', 'hex');

/**
 * The id of "`actorId` read ticket `ticketId` in the hour of `atMs`": the same for every read in
 * that hour, so JetStream (whose duplicate window is one hour) stores the first and drops the rest
 * as duplicates, and the audit log, idempotent on event ids, keeps one row.
 */
export function contentReadEventId(actorId: string, ticketId: string, atMs: number): string {
  const hour = Math.floor(atMs / HOUR_MS);
  const hash = createHash('sha1').update(CONTENT_READ_NAMESPACE).update(`${actorId}\n${ticketId}\n${hour}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * This hour's reads already acknowledged by JetStream, per JetStream client, so a queue that
 * refreshes every few seconds publishes each (person, ticket) once an hour, not on every refresh.
 * Only a shortcut: the deterministic id is what keeps the record single across replicas.
 */
const recordedBy = new WeakMap<JetStreamClient, { hour: number; ids: Set<string> }>();
const RECORDED_MAX = 100_000;

/**
 * Publishes `ticket.content_read` for each ticket the caller is about to receive, once per person,
 * ticket and hour (docs/decisions/0010, 0022). Everyone's reads are recorded: requester, clinic
 * staff, IT, vendor, admin, auditor. Throws 503 when the record cannot be made.
 */
export async function recordContentReads(
  deps: Pick<TicketDeps, 'js' | 'logger'>,
  actor: Actor,
  tickets: readonly Pick<Ticket, 'id' | 'number'>[],
  what: TicketContentReadData['what'],
): Promise<void> {
  if (tickets.length === 0) return;
  const refused = new AppError('UNAVAILABLE', 'this read cannot be recorded in the audit trail right now, so it is refused; please retry');
  const js = deps.js;
  if (!js) throw refused;
  const now = Date.now();
  const hour = Math.floor(now / HOUR_MS);
  let recorded = recordedBy.get(js);
  if (!recorded || recorded.hour !== hour || recorded.ids.size > RECORDED_MAX) {
    recorded = { hour, ids: new Set() };
    recordedBy.set(js, recorded);
  }
  const done = recorded.ids;
  const todo = tickets.map((t) => ({ t, id: contentReadEventId(actor.id, t.id, now) })).filter((x) => !done.has(x.id));
  try {
    await Promise.all(
      todo.map(async ({ t, id }) => {
        const data: TicketContentReadData = { number: t.number, what };
        await publishEvent(js, {
          id,
          type: TICKET_CONTENT_READ,
          occurredAt: new Date(now).toISOString(),
          actor: actor.isServiceAccount ? { kind: 'system', id: actor.serviceClient ?? actor.id } : { kind: 'user', id: actor.id, role: actor.primaryRole },
          ticketId: t.id,
          data,
          schemaVersion: EVENT_SCHEMA_VERSION,
        });
        done.add(id);
      }),
    );
  } catch (err) {
    deps.logger.error({ err, what, tickets: tickets.length }, 'ticket read refused: the read event could not be published');
    throw refused;
  }
}
