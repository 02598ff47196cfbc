import { describe, expect, it } from 'vitest';
import { parseEnv } from '@tierline/platform';
import { identityEnvSchema } from './env.js';

describe('identity service environment', () => {
  it('derives issuer and JWKS from the Keycloak URL', () => {
    const env = parseEnv(identityEnvSchema, { DATABASE_URL: 'postgres://a@b/c', KEYCLOAK_URL: 'http://kc:8080/' });
    expect(env.KEYCLOAK_ISSUER).toBe('http://kc:8080/realms/tierline');
    expect(env.JWKS_URL).toBe('http://kc:8080/realms/tierline/protocol/openid-connect/certs');
    expect(env.TOKEN_AUDIENCE).toBe('tierline-identity');
  });
  it('names a malformed Keycloak URL', () => {
    expect(() => parseEnv(identityEnvSchema, { DATABASE_URL: 'postgres://a@b/c', KEYCLOAK_URL: 'not a url' })).toThrow(/KEYCLOAK_URL/);
  });
});
