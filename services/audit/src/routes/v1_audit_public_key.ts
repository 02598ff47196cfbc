import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AuditAppEnv } from '../deps.js';
import { keyIdOf, publicKeyPem } from '../signing.js';

const KeySchema = z.object({
  keyId: z.string(),
  algorithm: z.literal('Ed25519'),
  pem: z.string().openapi({ description: 'SPKI PEM' }),
  jwk: z.object({ kty: z.string(), crv: z.string(), x: z.string() }),
});

export const PublicKeyResponseSchema = KeySchema.extend({
  retired: z.array(KeySchema).openapi({ description: 'Earlier keys whose checkpoints still verify.' }),
}).openapi('AuditPublicKey');

export const publicKeyRoute = createRoute({
  method: 'get',
  path: '/api/v1/audit/public-key',
  tags: ['Audit'],
  summary: 'The key that signs checkpoints',
  description: 'Public, without a token: anyone holding an export needs it to verify, and it reveals nothing. Compare its keyId with one obtained out of band.',
  responses: { 200: { description: 'Ed25519 public key', content: { 'application/json': { schema: PublicKeyResponseSchema } } } },
});

export function registerPublicKey(app: OpenAPIHono<AuditAppEnv>): void {
  app.openapi(publicKeyRoute, (c) => {
    const { signer, publicKeys } = c.get('deps');
    const describe = (key: typeof signer.publicKey) => {
      const jwk = key.export({ format: 'jwk' });
      return { keyId: keyIdOf(key), algorithm: 'Ed25519' as const, pem: publicKeyPem(key), jwk: { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x! } };
    };
    const retired = [...publicKeys].filter(([id]) => id !== signer.keyId).map(([, k]) => describe(k));
    return c.json({ ...describe(signer.publicKey), retired }, 200);
  });
}
