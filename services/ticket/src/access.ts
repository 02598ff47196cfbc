import type { Ticket } from '@tierline/contracts';
import { hasRole, type Actor } from '@tierline/platform';

/**
 * Object-level read rule for one ticket. IT works every ticket; clinic staff see their own
 * and their sites' tickets. Vendors, auditors and admins get ticket content through their own
 * (audited) paths, which arrive with the identity and audit work.
 */
export function canReadTicket(actor: Actor, t: Pick<Ticket, 'siteId' | 'requesterId'>): boolean {
  if (hasRole(actor, 'it_agent', 'it_lead')) return true;
  if (hasRole(actor, 'clinic_staff')) return t.requesterId === actor.id || actor.sites.includes(t.siteId);
  return false;
}

/** Who may open a ticket for a site: IT anywhere, clinic staff for their own sites. */
export function canOpenTicketFor(actor: Actor, siteId: string): boolean {
  if (hasRole(actor, 'it_agent', 'it_lead')) return true;
  return hasRole(actor, 'clinic_staff') && actor.sites.includes(siteId);
}
