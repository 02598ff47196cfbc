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
  it('has directory defaults and parses the reader clients list', () => {
    const env = parseEnv(identityEnvSchema, { DATABASE_URL: 'postgres://a@b/c', DIRECTORY_READER_CLIENTS: 'tierline-notification, tierline-worker' });
    expect(env.DIRECTORY_SYNC_INTERVAL_MS).toBe(300_000);
    expect(env.KEYCLOAK_ADMIN_CLIENT_ID).toBe('tierline-identity');
    expect(env.DIRECTORY_READER_CLIENTS).toEqual(['tierline-notification', 'tierline-worker']);
  });
  it('refuses a negative sync interval', () => {
    expect(() => parseEnv(identityEnvSchema, { DATABASE_URL: 'postgres://a@b/c', DIRECTORY_SYNC_INTERVAL_MS: '-1' })).toThrow(/DIRECTORY_SYNC_INTERVAL_MS/);
  });
});
