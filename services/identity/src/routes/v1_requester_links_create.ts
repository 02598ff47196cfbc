import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { CreateRequesterLinksSchema, RequesterLinksIssuedSchema } from '@tierline/contracts';
import { AppError, errorResponse } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { findUser } from '../directory.js';
import { issueRequesterLinks, REQUESTER_LINK_MINTER, requesterClaims, requesterLinkSigner } from '../requester-links.js';
import { authErrorResponses, badRequestResponse, conflictResponse } from './common.js';
import { publishCommitted } from './vendor_links_common.js';

/** Default lifetime of a pair when the deployment sets none (REQUESTER_LINK_TTL_DAYS). */
export const REQUESTER_LINK_TTL_MS = 7 * 24 * 3_600_000;

export const createRequesterLinksRoute = createRoute({
  method: 'post',
  path: '/api/v1/requester-links',
  tags: ['Requester links'],
  summary: 'Mint the "Fixed" / "Not fixed" pair for a resolved message to its requester (the notification service\'s account only)',
  description:
    'Two EdDSA-signed links (verifiable offline with /api/v1/vendor-links/jwks.json, audience tierline-requester-link) that ' +
    'open a page with one button each and change nothing until it is pressed. Using either spends both. They expire after ' +
    'REQUESTER_LINK_TTL_DAYS, and stop working once the ticket is no longer resolved. Asking again with the same ' +
    'idempotencyKey and recipient returns the same pair (200).',
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: CreateRequesterLinksSchema } } } },
  responses: {
    201: { description: 'A new pair', content: { 'application/json': { schema: RequesterLinksIssuedSchema } } },
    200: { description: 'The pair already issued for this idempotencyKey and recipient', content: { 'application/json': { schema: RequesterLinksIssuedSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...conflictResponse,
    ...errorResponse(422, 'The recipient is not an enabled user of the directory'),
    ...errorResponse(429, 'Too many links minted by this service account in the last minute'),
  },
});

export function registerCreateRequesterLinks(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(createRequesterLinksRoute, async (c) => {
    const actor = c.get('actor');
    if (actor.serviceClient !== REQUESTER_LINK_MINTER) throw new AppError('FORBIDDEN', `only the ${REQUESTER_LINK_MINTER} service account mints requester links`);
    const deps = c.get('deps');
    const body = c.req.valid('json');
    const user = await findUser(deps.sql, body.recipientId);
    if (!user) throw new AppError('UNPROCESSABLE', `recipient ${body.recipientId} is not in the directory`);
    if (!user.enabled) throw new AppError('UNPROCESSABLE', `recipient ${body.recipientId} is disabled`);

    const ttlMs = deps.requesterLinks?.ttlMs ?? REQUESTER_LINK_TTL_MS;
    const { row, created, event } = await issueRequesterLinks(deps.sql, body, ttlMs, { kind: 'system', id: REQUESTER_LINK_MINTER });
    await publishCommitted(deps, event);
    const signer = requesterLinkSigner(deps.vendorLinks.keys);
    const base = deps.vendorLinks.baseUrl;
    return c.json(
      {
        fixedUrl: `${base}/r/${await signer.sign(requesterClaims(row, 'fixed'))}`,
        notFixedUrl: `${base}/r/${await signer.sign(requesterClaims(row, 'not_fixed'))}`,
        expiresAt: row.expires_at.toISOString(),
      },
      created ? 201 : 200,
    );
  });
}
