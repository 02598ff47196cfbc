import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { IdentityAppEnv } from '../deps.js';

const JwksSchema = z
  .object({ keys: z.array(z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string(), alg: z.literal('EdDSA'), use: z.literal('sig') })) })
  .openapi('VendorLinkJwks');

export const vendorLinkJwksRoute = createRoute({
  method: 'get',
  path: '/api/v1/vendor-links/jwks.json',
  tags: ['Vendor links'],
  summary: 'The public key that vendor links are signed with (no login)',
  description: 'A JWK Set: anyone can check a link offline (alg EdDSA, iss tierline-identity, aud tierline-vendor-link, typ vendor-link+jwt).',
  responses: { 200: { description: 'JWK Set', content: { 'application/json': { schema: JwksSchema } } } },
});

export function registerVendorLinkJwks(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(vendorLinkJwksRoute, (c) => {
    // Public and rarely changing; a short cache keeps a key rotation quick to reach verifiers.
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(c.get('deps').vendorLinks.keys.jwks as z.infer<typeof JwksSchema>, 200);
  });
}
