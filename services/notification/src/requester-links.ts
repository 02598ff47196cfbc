import { CreateRequesterLinksSchema, RequesterLinksIssuedSchema, type CreateRequesterLinks, type RequesterLinksIssued } from '@tierline/contracts';
import { mintAtIdentity, type IdentityMintOptions } from './identity-mint.js';

/**
 * The identity service's `POST /api/v1/requester-links`: the "Fixed" and "Not fixed" single-use
 * links of a resolved ticket, for one recipient. The same idempotency key and recipient give the
 * same pair again, so a resent update repeats its links and this service never stores them (they
 * are bearer credentials: no logs, rows or events).
 */
export type RequesterLinkMinter = (req: CreateRequesterLinks) => Promise<RequesterLinksIssued>;

export class RequesterLinksFailed extends Error {
  override name = 'RequesterLinksFailed';
}

/** Mints as the tierline-notification service account; throws (and the send is retried) when no pair can be had. */
export function createRequesterLinkMinter(opts: IdentityMintOptions): RequesterLinkMinter {
  return async (req) => {
    const what = `requester links for ${req.ticketNumber}`;
    const answer = await mintAtIdentity(opts, '/api/v1/requester-links', CreateRequesterLinksSchema.parse(req), what, (m) => new RequesterLinksFailed(m));
    const issued = RequesterLinksIssuedSchema.safeParse(answer);
    if (!issued.success || !/^https?:\/\//.test(issued.data.fixedUrl) || !/^https?:\/\//.test(issued.data.notFixedUrl)) {
      throw new RequesterLinksFailed(`${what}: unexpected answer`);
    }
    return issued.data;
  };
}
