import type { Ticket } from '@tierline/contracts';
import { hasRole, type Actor } from '@tierline/platform';

type Visible = Pick<Ticket, 'siteId' | 'requesterId' | 'vendorOrgId' | 'tier'>;

/**
 * Object-level read rule for one ticket. IT works every ticket; clinic staff see their own and
 * their sites' tickets; a vendor sees a ticket only while it is escalated to its organisation.
 * Auditors and admins get ticket facts through the audit log, not ticket content.
 */
export function canReadTicket(actor: Actor, t: Visible): boolean {
  if (hasRole(actor, 'it_agent', 'it_lead')) return true;
  if (hasRole(actor, 'clinic_staff') && (t.requesterId === actor.id || actor.sites.includes(t.siteId))) return true;
  if (hasRole(actor, 'vendor') && actor.vendorOrg !== null && t.tier === 3 && t.vendorOrgId === actor.vendorOrg) return true;
  return false;
}

/** Who may open a ticket for a site: IT anywhere, clinic staff for their own sites. */
export function canOpenTicketFor(actor: Actor, siteId: string): boolean {
  if (hasRole(actor, 'it_agent', 'it_lead')) return true;
  return hasRole(actor, 'clinic_staff') && actor.sites.includes(siteId);
}

/** Internal notes are for IT only. */
export function canSeeInternal(actor: Actor): boolean {
  return hasRole(actor, 'it_agent', 'it_lead');
}
