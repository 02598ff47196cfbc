import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';
import { clientAddress } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { requesterLinkSigner, type RequesterLinkCheck } from '../requester-links.js';
import { REQUESTER_REFUSAL_STATUS, requesterRefusalPage } from '../requester-link-pages.js';
import { VENDOR_PAGE_HEADERS } from '../vendor-link-pages.js';

export const requesterTokenParam = z.object({ token: z.string().openapi({ param: { name: 'token', in: 'path' }, description: 'The signed requester link token (compact JWS).' }) });
export const htmlResponse = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

/** The refusals every requester link page documents. */
export const refusalResponses = {
  400: htmlResponse('Tampered or malformed: the signature does not match (or, on a button, a missing reason or rating: the form again with the error)'),
  403: htmlResponse("Not the ticket's requester, or no longer an enabled user"),
  404: htmlResponse('Signed by Tierline, but no such link'),
  409: htmlResponse('Already used (either link of the pair), or the ticket is no longer resolved'),
  410: htmlResponse('Expired'),
  429: htmlResponse('Too many requests from this address'),
  503: htmlResponse('The ticket service is unreachable; nothing changed, the link still works'),
};

export const signerOf = (c: Context<IdentityAppEnv>) => requesterLinkSigner(c.get('deps').vendorLinks.keys);

/**
 * Answers a refused requester link with the page that says which refusal, with its HTTP status,
 * and logs it with the client address. Refusals are rate-limited per address and not audited one
 * by one (anyone can send garbage); the uses are.
 */
export function refuseRequester(c: Context<IdentityAppEnv>, check: Extract<RequesterLinkCheck, { ok: false }>, action: string, status: string | null = null): Response {
  const deps = c.get('deps');
  const r = check.row;
  deps.logger.info(
    { reason: check.reason, action, linkId: r?.id ?? check.claims?.jti ?? null, ticketId: r?.ticket_id ?? check.claims?.tid ?? null, ip: clientAddress(c, deps.trustedProxyHops) },
    'requester link refused',
  );
  const html = requesterRefusalPage({
    reason: check.reason,
    ticketNumber: r && check.reason !== 'wrong_recipient' ? r.ticket_number : null,
    usedAt: r?.used_at ?? null,
    usedAnswer: r?.used_answer ?? null,
    expiredAt: r?.expires_at ?? null,
    status,
  });
  return c.html(html, REQUESTER_REFUSAL_STATUS[check.reason], VENDOR_PAGE_HEADERS);
}
