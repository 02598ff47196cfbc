import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { CreateVendorLinkSchema, VendorLinkIssuedSchema } from '@tierline/contracts';
import { AppError, errorResponse } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { findUser } from '../directory.js';
import { claimsOf, issueLink } from '../vendor-links.js';
import { authErrorResponses, badRequestResponse, conflictResponse } from './common.js';
import { publishCommitted, VENDOR_LINK_MINTER } from './vendor_links_common.js';

export const createVendorLinkRoute = createRoute({
  method: 'post',
  path: '/api/v1/vendor-links',
  tags: ['Vendor links'],
  summary: "Mint a signed link for one vendor user and one escalation (the notification service's account only)",
  description:
    'The link (an EdDSA-signed JWS, verifiable offline with /api/v1/vendor-links/jwks.json) lets its recipient see the ticket ' +
    'number, priority, site and contract deadline and acknowledge once, without logging in. It expires after ' +
    'VENDOR_LINK_TTL_MINUTES. Asking again with the same idempotencyKey and recipient returns the same link (200).',
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: CreateVendorLinkSchema } } } },
  responses: {
    201: { description: 'A new link', content: { 'application/json': { schema: VendorLinkIssuedSchema } } },
    200: { description: 'The link already issued for this idempotencyKey and recipient', content: { 'application/json': { schema: VendorLinkIssuedSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...conflictResponse,
    ...errorResponse(422, 'The recipient is not an enabled vendor user of that organisation; the message says which'),
    ...errorResponse(429, 'Too many links minted by this service account in the last minute'),
  },
});

export function registerCreateVendorLink(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(createVendorLinkRoute, async (c) => {
    const actor = c.get('actor');
    if (actor.serviceClient !== VENDOR_LINK_MINTER) throw new AppError('FORBIDDEN', `only the ${VENDOR_LINK_MINTER} service account mints vendor links`);
    const deps = c.get('deps');
    const body = c.req.valid('json');
    const user = await findUser(deps.sql, body.recipientId);
    if (!user) throw new AppError('UNPROCESSABLE', `recipient ${body.recipientId} is not in the directory`);
    if (!user.enabled) throw new AppError('UNPROCESSABLE', `recipient ${body.recipientId} is disabled`);
    if (!user.roles.includes('vendor')) throw new AppError('UNPROCESSABLE', `recipient ${body.recipientId} is not a vendor user`);
    if (user.vendorOrg !== body.vendorOrgId) throw new AppError('UNPROCESSABLE', `recipient ${body.recipientId} does not belong to vendor organisation ${body.vendorOrgId}`);

    const { keys, baseUrl, ttlMs } = deps.vendorLinks;
    const { row, created, event } = await issueLink(deps.sql, body, ttlMs, { kind: 'system', id: VENDOR_LINK_MINTER });
    await publishCommitted(deps, event);
    const token = await keys.sign(claimsOf(row));
    return c.json({ id: row.id, url: `${baseUrl}/v/${token}`, expiresAt: row.expires_at.toISOString() }, created ? 201 : 200);
  });
}
