import { VendorLinkIssuedSchema, type CreateVendorLink, type NotifyCommand, type VendorLinkIssued } from '@tierline/contracts';
import type { Recipient } from './recipients.js';
import type { ServiceToken } from '@tierline/platform';

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
export function createVendorLinkMinter(opts: { identityUrl: string; token: ServiceToken; timeoutMs?: number; fetch?: typeof fetch }): VendorLinkMinter {
  const url = `${opts.identityUrl.replace(/\/$/, '')}/api/v1/vendor-links`;
  return async (req) => {
    let res: Response;
    try {
      res = await (opts.fetch ?? fetch)(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${await opts.token.get()}`, 'content-type': 'application/json' },
        body: JSON.stringify(req),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new VendorLinkFailed(`vendor link for ${req.ticketNumber}: identity service unreachable (${(err as Error).message})`);
    }
    if (res.status === 401) opts.token.invalidate();
    const text = await res.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // Not JSON (a proxy's error page): the status says enough.
    }
    if (res.status !== 200 && res.status !== 201) {
      const message = (body as { error?: { message?: unknown } }).error?.message;
      const why = typeof message === 'string' ? `: ${message}` : '';
      throw new VendorLinkFailed(`vendor link for ${req.ticketNumber} refused: HTTP ${res.status}${why}`);
    }
    const issued = VendorLinkIssuedSchema.safeParse(body);
    if (!issued.success || !/^https?:\/\//.test(issued.data.url)) {
      throw new VendorLinkFailed(`vendor link for ${req.ticketNumber}: unexpected answer`);
    }
    return issued.data;
  };
}
