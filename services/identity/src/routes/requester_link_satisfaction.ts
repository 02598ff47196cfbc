import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError, type Sql } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { closedPage, satisfactionThanksPage } from '../requester-link-pages.js';
import { checkRequesterLink, SATISFACTION_WINDOW_MS, type RequesterLinkCheck, type RequesterLinkRow } from '../requester-links.js';
import { unavailablePage, VENDOR_PAGE_HEADERS } from '../vendor-link-pages.js';
import { formField } from './requester_link_answer.js';
import { htmlResponse, refusalResponses, refuseRequester, requesterTokenParam, signerOf } from './requester_links_common.js';

export const satisfactionRequesterLinkRoute = createRoute({
  method: 'post',
  path: '/r/{token}/satisfaction',
  tags: ['Requester links'],
  summary: 'The one optional question after "Fixed": a rating of 1 to 5 and an optional comment of up to 500 characters',
  description:
    `Accepted once, through a "Fixed" link that was used, within ${SATISFACTION_WINDOW_MS / 3_600_000} hours of its use. ` +
    'The answer is stored with the ticket by the ticket service (ticket.satisfaction_recorded on its timeline and in the audit log).',
  request: {
    params: requesterTokenParam,
    body: {
      required: false,
      content: { 'application/x-www-form-urlencoded': { schema: z.object({ rating: z.string().openapi({ description: '1 to 5' }), comment: z.string().optional() }) } },
    },
  },
  responses: { 200: htmlResponse('Recorded'), ...refusalResponses },
});

type Outcome = { kind: 'refused'; check: Extract<RequesterLinkCheck, { ok: false }> } | { kind: 'invalid'; row: RequesterLinkRow; message: string } | { kind: 'done'; row: RequesterLinkRow };

export function registerSatisfactionRequesterLink(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openAPIRegistry.registerPath(satisfactionRequesterLinkRoute);
  app.post('/r/:token/satisfaction', async (c) => {
    const deps = c.get('deps');
    const token = c.req.param('token');
    const ratingText = (await formField(c, 'rating')).trim();
    const comment = (await formField(c, 'comment')).trim();
    let outcome: Outcome;
    try {
      outcome = await deps.sql.begin(async (t): Promise<Outcome> => {
        const tx = t as unknown as Sql;
        const check = await checkRequesterLink(tx, signerOf(c), token, { forUpdate: true, allowSpent: true });
        if (!check.ok) return { kind: 'refused', check };
        const { row, claims } = check;
        // Only the "Fixed" link that closed the ticket, once, and not long after.
        const open = claims.ans === 'fixed' && row.used_answer === 'fixed' && !row.satisfaction_at && row.used_at!.getTime() + SATISFACTION_WINDOW_MS > Date.now();
        if (!open) return { kind: 'refused', check: { ok: false, reason: row.used_at ? 'used' : 'not_resolved', row, claims } };
        const rating = /^[1-5]$/.test(ratingText) ? Number(ratingText) : null;
        if (rating === null) return { kind: 'invalid', row, message: 'Choose a number from 1 to 5, or just close this page.' };
        if (comment.length > 500) return { kind: 'invalid', row, message: 'The comment can be at most 500 characters.' };
        const act = await deps.vendorLinks.ticketService.requesterSatisfaction(row.ticket_id, { linkId: row.id, requesterId: row.recipient_id, rating, comment: comment || null });
        if (!act.ok) return { kind: 'refused', check: { ok: false, reason: act.notRequester ? 'wrong_recipient' : 'not_resolved', row, claims } };
        const [done] = await tx<RequesterLinkRow[]>`update requester_links set satisfaction_at = now() where id = ${row.id} returning *`;
        return { kind: 'done', row: done! };
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'UNAVAILABLE') throw err;
      return c.html(unavailablePage(), 503, { ...VENDOR_PAGE_HEADERS, 'Retry-After': '60' });
    }
    if (outcome.kind === 'refused') return refuseRequester(c, outcome.check, 'satisfaction');
    if (outcome.kind === 'invalid') return c.html(closedPage(outcome.row.ticket_number, outcome.message), 400, VENDOR_PAGE_HEADERS);
    return c.html(satisfactionThanksPage(outcome.row.ticket_number), 200, VENDOR_PAGE_HEADERS);
  });
}
