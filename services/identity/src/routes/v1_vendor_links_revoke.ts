import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError, hasRole, trimmedText, type Sql } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { facts, vendorLinkEvent, vendorLinkOutbox, type VendorLinkRow } from '../vendor-links.js';
import { authErrorResponses, badRequestResponse, conflictResponse, notFoundResponse } from './common.js';
import { publishCommitted, toVendorLinkBody, VendorLinkSchema } from './vendor_links_common.js';

export const revokeVendorLinkRoute = createRoute({
  method: 'post',
  path: '/api/v1/vendor-links/{id}/revoke',
  tags: ['Vendor links'],
  summary: 'Revoke a link that was not used yet (IT lead or admin)',
  description: 'From then on the link shows "withdrawn" and acknowledges nothing. The reason is kept with the link, not put into the event.',
  security: [{ bearerAuth: [] }],
  request: {
    params: z.object({ id: z.uuid() }),
    body: { required: true, content: { 'application/json': { schema: z.object({ reason: trimmedText(3, 500) }).strict() } } },
  },
  responses: {
    200: { description: 'The link, now revoked', content: { 'application/json': { schema: VendorLinkSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...conflictResponse,
  },
});

export function registerRevokeVendorLink(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(revokeVendorLinkRoute, async (c) => {
    const actor = c.get('actor');
    if (actor.isServiceAccount || !hasRole(actor, 'it_lead', 'admin')) throw new AppError('FORBIDDEN', 'only IT leads and admins revoke vendor links');
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const { row, event } = await deps.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      // Locked like an acknowledgement, so a revoke and a use of the same link never both succeed.
      const [current] = await tx<VendorLinkRow[]>`select * from vendor_links where id = ${id} for update`;
      if (!current) throw new AppError('NOT_FOUND', `no vendor link ${id}`);
      if (current.used_at) throw new AppError('CONFLICT', `the link was already used at ${current.used_at.toISOString()}`);
      if (current.revoked_at) throw new AppError('CONFLICT', `the link was already revoked at ${current.revoked_at.toISOString()}`);
      const [revoked] = await tx<VendorLinkRow[]>`
        update vendor_links set revoked_at = now(), revoked_by = ${actor.id}, revoke_reason = ${reason} where id = ${id} returning *`;
      const ev = vendorLinkEvent('vendor_link.revoked', { kind: 'user', id: actor.id, role: actor.primaryRole }, revoked!.ticket_id, {
        ...facts(revoked!),
        revokedBy: actor.id,
      });
      await vendorLinkOutbox.add(tx, ev);
      return { row: revoked!, event: ev };
    });
    await publishCommitted(deps, event);
    return c.json(toVendorLinkBody(row), 200);
  });
}
