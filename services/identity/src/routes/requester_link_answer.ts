import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { EventEnvelope } from '@tierline/contracts';
import { AppError, clientAddress, type Sql } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { answerPage, closedPage, reopenedPage } from '../requester-link-pages.js';
import { checkRequesterLink, requesterLinkEvent, type RequesterLinkCheck, type RequesterLinkRow } from '../requester-links.js';
import { unavailablePage, VENDOR_PAGE_HEADERS } from '../vendor-link-pages.js';
import { vendorLinkOutbox } from '../vendor-links.js';
import { htmlResponse, refusalResponses, refuseRequester, requesterTokenParam, signerOf } from './requester_links_common.js';
import { publishCommitted, userAgentOf } from './vendor_links_common.js';

export const answerRequesterLinkRoute = createRoute({
  method: 'post',
  path: '/r/{token}/answer',
  tags: ['Requester links'],
  summary: 'The button: "Fixed" closes the ticket as its requester, "Not fixed" reopens it with her reason (form field `reason`, required)',
  description:
    'In one transaction: the pair\'s row is locked and checked (not used, not expired, recipient still enabled), the ticket ' +
    'service closes or reopens as the requester (it checks she is the requester and the ticket is resolved), and the pair is ' +
    'marked used with the answer, time, client address and user agent. If the ticket refuses, nothing is marked. After ' +
    '"Fixed" the page asks the one optional satisfaction question (POST /r/{token}/satisfaction).',
  request: {
    params: requesterTokenParam,
    body: { required: false, content: { 'application/x-www-form-urlencoded': { schema: z.object({ reason: z.string().optional().openapi({ description: '"Not fixed" only: what is still wrong, 3 to 2000 characters.' }) }) } } },
  },
  responses: { 200: htmlResponse('Closed (with the satisfaction question) or reopened'), ...refusalResponses },
});

type Outcome =
  | { kind: 'refused'; check: Extract<RequesterLinkCheck, { ok: false }>; status: string | null }
  | { kind: 'invalid'; row: RequesterLinkRow; message: string; reason: string }
  | { kind: 'done'; row: RequesterLinkRow; event: EventEnvelope };

/** A form field as text: the last value when repeated, '' when absent or a file. */
export async function formField(c: Context, name: string): Promise<string> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return '';
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    // A malformed body is an empty form: the page then says what is missing.
    return '';
  }
  const v = body[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof last === 'string' ? last : '';
}

export function registerAnswerRequesterLink(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openAPIRegistry.registerPath(answerRequesterLinkRoute);
  app.post('/r/:token/answer', async (c) => {
    const deps = c.get('deps');
    const token = c.req.param('token');
    const ip = clientAddress(c, deps.trustedProxyHops);
    const userAgent = userAgentOf(c);
    const reason = (await formField(c, 'reason')).trim();
    let outcome: Outcome;
    try {
      outcome = await deps.sql.begin(async (t): Promise<Outcome> => {
        const tx = t as unknown as Sql;
        const check = await checkRequesterLink(tx, signerOf(c), token, { forUpdate: true });
        if (!check.ok) return { kind: 'refused', check, status: null };
        const { row, claims } = check;
        const body = { linkId: row.id, requesterId: row.recipient_id };
        let act;
        if (claims.ans === 'fixed') {
          act = await deps.vendorLinks.ticketService.requesterClose(row.ticket_id, body);
        } else {
          if (reason.length < 3) return { kind: 'invalid', row, reason, message: 'Tell IT what is still wrong: at least 3 characters.' };
          if (reason.length > 2000) return { kind: 'invalid', row, reason: reason.slice(0, 2000), message: 'At most 2000 characters, please.' };
          act = await deps.vendorLinks.ticketService.requesterReopen(row.ticket_id, { ...body, reason });
        }
        if (!act.ok) {
          const refusal = act.notRequester ? 'wrong_recipient' : 'not_resolved';
          const status = /\bis (\w+)/.exec(act.reason)?.[1] ?? null;
          return { kind: 'refused', check: { ok: false, reason: refusal, row, claims }, status };
        }
        const [used] = await tx<RequesterLinkRow[]>`
          update requester_links set used_at = now(), used_answer = ${claims.ans}, used_ip = ${ip}, used_user_agent = ${userAgent}
          where id = ${row.id} returning *`;
        const event = requesterLinkEvent('requester_link.used', { kind: 'user', id: row.recipient_id, role: 'clinic_staff' }, used!, { answer: claims.ans, ip, userAgent });
        await vendorLinkOutbox.add(tx, event);
        return { kind: 'done', row: used!, event };
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'UNAVAILABLE') throw err;
      return c.html(unavailablePage(), 503, { ...VENDOR_PAGE_HEADERS, 'Retry-After': '60' });
    }
    if (outcome.kind === 'refused') return refuseRequester(c, outcome.check, 'answer', outcome.status);
    if (outcome.kind === 'invalid') return c.html(answerPage(outcome.row.ticket_number, 'not_fixed', 'answer', outcome.message, outcome.reason), 400, VENDOR_PAGE_HEADERS);
    await publishCommitted(deps, outcome.event);
    const page = outcome.row.used_answer === 'fixed' ? closedPage(outcome.row.ticket_number) : reopenedPage(outcome.row.ticket_number);
    return c.html(page, 200, VENDOR_PAGE_HEADERS);
  });
}
