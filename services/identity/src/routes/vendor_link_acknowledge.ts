import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { EventEnvelope } from '@tierline/contracts';
import { AppError, clientAddress, type Sql } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { acknowledgedPage, unavailablePage, VENDOR_PAGE_HEADERS } from '../vendor-link-pages.js';
import { checkLink, facts, vendorLinkEvent, vendorLinkOutbox, type LinkCheck, type VendorLinkRow } from '../vendor-links.js';
import { tokenParam } from './vendor_link_open.js';
import { pageTicket, publishCommitted, refuse, userAgentOf } from './vendor_links_common.js';

const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

export const acknowledgeVendorLinkRoute = createRoute({
  method: 'post',
  path: '/v/{token}/acknowledge',
  tags: ['Vendor links'],
  summary: "The Acknowledge button: the vendor's acknowledgement reaches the ticket's workflow, once",
  description:
    'In one transaction: the link row is locked, checked (not used, revoked or expired; recipient still an enabled vendor user ' +
    'of the organisation), the ticket service acknowledges through the workflow (via signed_link), and the link is marked used ' +
    'with time, client address and user agent. If the ticket refuses, nothing is marked. A second submit waits for the lock and ' +
    'then finds the link used.',
  request: { params: tokenParam },
  responses: {
    200: html('Acknowledged'),
    400: html('Tampered or malformed'),
    403: html('Wrong recipient'),
    404: html('No such link'),
    409: html('Already used, or the ticket is no longer waiting for the vendor'),
    410: html('Expired or revoked'),
    429: html('Too many requests from this address'),
    503: html('The ticket service is unreachable; nothing changed, the link still works'),
  },
});

type Outcome =
  | { kind: 'refused'; check: Extract<LinkCheck, { ok: false }>; detail: string | null }
  | { kind: 'acknowledged'; row: VendorLinkRow; event: EventEnvelope; resolutionDueAt: Date | null };

/** The vendor_resolution clock's deadline, from the workflow state the ticket service returned. */
function resolutionDue(escalation: Record<string, unknown>): Date | null {
  const clocks = Array.isArray(escalation['clocks']) ? (escalation['clocks'] as { name?: unknown; deadlineAt?: unknown }[]) : [];
  const at = clocks.find((k) => k.name === 'vendor_resolution')?.deadlineAt;
  return typeof at === 'string' ? new Date(at) : null;
}

export function registerAcknowledgeVendorLink(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openAPIRegistry.registerPath(acknowledgeVendorLinkRoute);
  app.post('/v/:token/acknowledge', async (c) => {
    const deps = c.get('deps');
    const token = c.req.param('token');
    const ip = clientAddress(c, deps.trustedProxyHops);
    const userAgent = userAgentOf(c);
    let outcome: Outcome;
    try {
      outcome = await deps.sql.begin(async (t): Promise<Outcome> => {
        const tx = t as unknown as Sql;
        const check = await checkLink(tx, deps.vendorLinks.keys, token, { forUpdate: true });
        if (!check.ok) return { kind: 'refused', check, detail: null };
        const row = check.row;
        // The workflow first: if the ticket refuses or cannot be reached, the link stays unused.
        const ack = await deps.vendorLinks.ticketService.vendorAcknowledge(row.ticket_id, {
          linkId: row.id,
          vendorUserId: row.recipient_id,
          vendorOrgId: row.vendor_org_id,
        });
        if (!ack.ok) return { kind: 'refused', check: { ok: false, reason: 'not_waiting', row, claims: null }, detail: ack.reason };
        const [used] = await tx<VendorLinkRow[]>`
          update vendor_links set used_at = now(), used_ip = ${ip}, used_user_agent = ${userAgent} where id = ${row.id} returning *`;
        const event = vendorLinkEvent('vendor_link.used', { kind: 'user', id: row.recipient_id, role: 'vendor' }, row.ticket_id, { ...facts(used!), ip, userAgent });
        await vendorLinkOutbox.add(tx, event);
        return { kind: 'acknowledged', row: used!, event, resolutionDueAt: resolutionDue(ack.escalation) };
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'UNAVAILABLE') throw err;
      return c.html(unavailablePage(), 503, { ...VENDOR_PAGE_HEADERS, 'Retry-After': '60' });
    }
    if (outcome.kind === 'refused') return refuse(c, outcome.check, 'acknowledge', outcome.detail);
    await publishCommitted(deps, outcome.event);
    return c.html(acknowledgedPage(await pageTicket(deps.sql, outcome.row), outcome.row.used_at!, outcome.resolutionDueAt), 200, VENDOR_PAGE_HEADERS);
  });
}
