import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { linkPage, VENDOR_PAGE_HEADERS } from '../vendor-link-pages.js';
import { checkLink } from '../vendor-links.js';
import { pageTicket, refuse } from './vendor_links_common.js';

export const tokenParam = z.object({ token: z.string().openapi({ param: { name: 'token', in: 'path' }, description: 'The signed link token (compact JWS).' }) });
const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

/** Documented in the OpenAPI description; served as HTML by a plain route (no JSON envelope). */
export const openVendorLinkRoute = createRoute({
  method: 'get',
  path: '/v/{token}',
  tags: ['Vendor links'],
  summary: 'The page a signed link opens: ticket number, priority, site, contract deadline and an Acknowledge button',
  description:
    'No login: the link is the credential. Opening it changes nothing (mail scanners fetch links too); only the button ' +
    '(POST /v/{token}/acknowledge) acknowledges. Rate-limited per client address.',
  request: { params: tokenParam },
  responses: {
    200: html('The link is good'),
    400: html('Tampered or malformed: the signature does not match'),
    403: html('Wrong recipient: not (or no longer) an enabled vendor user of the organisation, or claims that do not match the link'),
    404: html('Signed by Tierline, but no such link'),
    409: html('Already used, or the ticket is no longer waiting for the vendor'),
    410: html('Expired or revoked'),
    429: html('Too many requests from this address'),
    503: html('The ticket service is unreachable; nothing changed'),
  },
});

export function registerOpenVendorLink(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openAPIRegistry.registerPath(openVendorLinkRoute);
  app.get('/v/:token', async (c) => {
    const deps = c.get('deps');
    const token = c.req.param('token');
    const check = await checkLink(deps.sql, deps.vendorLinks.keys, token);
    if (!check.ok) return refuse(c, check, 'open');
    const row = check.row;
    try {
      const wait = await deps.vendorLinks.ticketService.vendorWait(row.ticket_id, row.vendor_org_id);
      if (!wait.waiting) return refuse(c, { ok: false, reason: 'not_waiting', row, claims: null }, 'open', wait.reason);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'UNAVAILABLE') throw err;
      // Showing the page is harmless: the acknowledgement asks the ticket service again.
      deps.logger.warn({ linkId: row.id }, 'vendor link page shown without the ticket check');
    }
    return c.html(linkPage(await pageTicket(deps.sql, row), token), 200, VENDOR_PAGE_HEADERS);
  });
}

