import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError, hasRole } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { listLinks } from '../vendor-links.js';
import { authErrorResponses, badRequestResponse } from './common.js';
import { toVendorLinkBody, VendorLinkSchema } from './vendor_links_common.js';

export const listVendorLinksRoute = createRoute({
  method: 'get',
  path: '/api/v1/vendor-links',
  tags: ['Vendor links'],
  summary: 'The signed links issued for a ticket, oldest first (IT, admins, auditors); never the tokens',
  security: [{ bearerAuth: [] }],
  request: { query: z.object({ ticketId: z.uuid() }) },
  responses: {
    200: { description: 'Links of the ticket', content: { 'application/json': { schema: z.object({ items: z.array(VendorLinkSchema) }) } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

export function registerListVendorLinks(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(listVendorLinksRoute, async (c) => {
    const actor = c.get('actor');
    if (actor.isServiceAccount || !hasRole(actor, 'it_agent', 'it_lead', 'admin', 'auditor')) {
      throw new AppError('FORBIDDEN', 'vendor links are listed for IT, admins and auditors');
    }
    const rows = await listLinks(c.get('deps').sql, c.req.valid('query').ticketId);
    const now = new Date();
    return c.json({ items: rows.map((r) => toVendorLinkBody(r, now)) }, 200);
  });
}
