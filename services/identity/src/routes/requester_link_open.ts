import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { answerPage } from '../requester-link-pages.js';
import { checkRequesterLink } from '../requester-links.js';
import { VENDOR_PAGE_HEADERS } from '../vendor-link-pages.js';
import { htmlResponse, refusalResponses, refuseRequester, requesterTokenParam, signerOf } from './requester_links_common.js';

/** Documented in the OpenAPI description; served as HTML by a plain route (no JSON envelope). */
export const openRequesterLinkRoute = createRoute({
  method: 'get',
  path: '/r/{token}',
  tags: ['Requester links'],
  summary: 'The page a "Fixed" or "Not fixed" link opens: the ticket number and one button (with a reason field for "Not fixed")',
  description:
    'No login: the link is the credential. Opening it changes nothing (mail scanners fetch links too); only the button ' +
    '(POST /r/{token}/answer) acts. Rate-limited per client address.',
  request: { params: requesterTokenParam },
  responses: { 200: htmlResponse('The link is good'), ...refusalResponses },
});

export function registerOpenRequesterLink(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openAPIRegistry.registerPath(openRequesterLinkRoute);
  app.get('/r/:token', async (c) => {
    const deps = c.get('deps');
    const token = c.req.param('token');
    const check = await checkRequesterLink(deps.sql, signerOf(c), token);
    if (!check.ok) return refuseRequester(c, check, 'open');
    const { row, claims } = check;
    try {
      const t = await deps.vendorLinks.ticketService.requesterCheck(row.ticket_id, row.recipient_id);
      if (!t.isRequester && t.status !== 'gone') return refuseRequester(c, { ok: false, reason: 'wrong_recipient', row, claims }, 'open');
      if (!t.answerable) return refuseRequester(c, { ok: false, reason: 'not_resolved', row, claims }, 'open', t.status);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'UNAVAILABLE') throw err;
      // Showing the page is harmless: pressing the button asks the ticket service again.
      deps.logger.warn({ linkId: row.id }, 'requester link page shown without the ticket check');
    }
    return c.html(answerPage(row.ticket_number, claims.ans, `${token}/answer`), 200, VENDOR_PAGE_HEADERS);
  });
}
