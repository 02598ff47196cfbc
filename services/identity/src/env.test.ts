import { generateKeyPairSync } from 'node:crypto';
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
  it('has vendor link defaults: 4-hour links at this service\'s own address, the local ticket service', () => {
    const env = parseEnv(identityEnvSchema, { DATABASE_URL: 'postgres://a@b/c', PORT: '3102' });
    expect(env.VENDOR_LINK_TTL_MINUTES).toBe(240);
    expect(env.VENDOR_LINK_BASE_URL).toBe('http://localhost:3102');
    expect(env.TICKET_SERVICE_URL).toBe('http://127.0.0.1:3001');
    expect(env.VENDOR_LINK_SIGNING_KEY, 'none: the development key in the database').toBeUndefined();
    expect(env.VENDOR_LINK_PAGE_RATE_LIMIT).toBe(30);
    expect(env.USER_ADMIN_RATE_LIMIT).toBe(30);
    const set = parseEnv(identityEnvSchema, { DATABASE_URL: 'postgres://a@b/c', VENDOR_LINK_BASE_URL: 'https://tierline.clinic.example/', VENDOR_LINK_TTL_MINUTES: '60' });
    expect(set.VENDOR_LINK_BASE_URL, 'without the trailing slash').toBe('https://tierline.clinic.example');
    expect(set.VENDOR_LINK_TTL_MINUTES).toBe(60);
  });
  it('accepts an Ed25519 signing key and names a key of another type, a zero TTL and a bad ticket service URL', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(parseEnv(identityEnvSchema, { DATABASE_URL: 'postgres://a@b/c', VENDOR_LINK_SIGNING_KEY: pem }).VENDOR_LINK_SIGNING_KEY).toBe(pem);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => parseEnv(identityEnvSchema, { DATABASE_URL: 'postgres://a@b/c', VENDOR_LINK_SIGNING_KEY: rsa })).toThrow(/VENDOR_LINK_SIGNING_KEY: .*must be an Ed25519 key, not rsa/);
    expect(() => parseEnv(identityEnvSchema, { DATABASE_URL: 'postgres://a@b/c', VENDOR_LINK_TTL_MINUTES: '0' })).toThrow(/VENDOR_LINK_TTL_MINUTES/);
    expect(() => parseEnv(identityEnvSchema, { DATABASE_URL: 'postgres://a@b/c', TICKET_SERVICE_URL: 'ticket:3001' })).toThrow(/TICKET_SERVICE_URL/);
  });
  it('logs in to NATS as its own user: takes NATS_USER and NATS_PASSWORD, names a user without its password', () => {
    const nats = parseEnv(identityEnvSchema, { ...{ DATABASE_URL: 'postgres://a@b/c' }, NATS_USER: 'identity', NATS_PASSWORD: 'identity-dev-secret' });
    expect([nats.NATS_USER, nats.NATS_PASSWORD]).toEqual(['identity', 'identity-dev-secret']);
    expect(parseEnv(identityEnvSchema, { DATABASE_URL: 'postgres://a@b/c' }).NATS_USER, 'unset: the user in NATS_URL, if any').toBeUndefined();
    expect(() => parseEnv(identityEnvSchema, { ...{ DATABASE_URL: 'postgres://a@b/c' }, NATS_USER: 'identity' })).toThrow(/NATS_PASSWORD: required with NATS_USER/);
    expect(() => parseEnv(identityEnvSchema, { ...{ DATABASE_URL: 'postgres://a@b/c' }, NATS_USER: 'identity x', NATS_PASSWORD: 'p' })).toThrow(/NATS_USER/);
  });
});
