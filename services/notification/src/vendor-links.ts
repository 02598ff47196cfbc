import { VendorLinkIssuedSchema, type CreateVendorLink, type NotifyCommand, type VendorLinkIssued } from '@tierline/contracts';
import type { Recipient } from './recipients.js';
import { mintAtIdentity, type IdentityMintOptions } from './identity-mint.js';

/** What the identity service needs to mint one vendor's signed acknowledge link. */
export type VendorLinkRequest = CreateVendorLink;

/** `url` is a bearer credential: it goes into the vendor's message and nowhere else (no logs, no rows, no events). */
export type VendorLink = VendorLinkIssued;

/**
 * Mints (or, for the same idempotency key and recipient, returns again) a vendor's signed link.
 * Throws when no link can be had; the send is then retried like any transient failure, because a
 * vendor page without its link is useless to the vendor.
 */
export type VendorLinkMinter = (req: VendorLinkRequest) => Promise<VendorLink>;

export class VendorLinkFailed extends Error {
  override name = 'VendorLinkFailed';
}

export function vendorLinkRequest(cmd: NotifyCommand, r: Recipient): VendorLinkRequest {
  if (!r.vendorOrgId) throw new VendorLinkFailed(`vendor recipient ${r.username} has no vendor organisation to mint a link for`);
  return {
    ticketId: cmd.ticketId,
    ticketNumber: cmd.ticketNumber,
    priority: cmd.priority,
    siteId: cmd.siteId,
    level: cmd.level,
    vendorOrgId: r.vendorOrgId,
    recipientId: r.userId,
    deadlineAt: cmd.deadlineAt,
    idempotencyKey: cmd.idempotencyKey,
  };
}

/** The identity service's `POST /api/v1/vendor-links`, as the tierline-notification service account. */
export function createVendorLinkMinter(opts: IdentityMintOptions): VendorLinkMinter {
  return async (req) => {
    const what = `vendor link for ${req.ticketNumber}`;
    const issued = VendorLinkIssuedSchema.safeParse(await mintAtIdentity(opts, '/api/v1/vendor-links', req, what, (m) => new VendorLinkFailed(m)));
    if (!issued.success || !/^https?:\/\//.test(issued.data.url)) throw new VendorLinkFailed(`${what}: unexpected answer`);
    return issued.data;
  };
}
