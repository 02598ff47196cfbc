import { describe, expect, it } from 'vitest';
import { parseEnv } from '@tierline/platform';
import { auditEnvSchema } from './env.js';

describe('audit service environment', () => {
  it('has working defaults beside the database', () => {
    const env = parseEnv(auditEnvSchema, { DATABASE_URL: 'postgresql://a@b/c' });
    expect(env).toMatchObject({
      PORT: 3004,
      NATS_URL: 'nats://127.0.0.1:4222',
      AUDIT_DURABLE: 'audit',
      AUDIT_DB_ROLE: 'tierline_audit_writer',
      TOKEN_AUDIENCE: 'tierline-audit',
      KEYCLOAK_ISSUER: 'http://localhost:8180/realms/tierline',
      JWKS_URL: 'http://localhost:8180/realms/tierline/protocol/openid-connect/certs',
      AUDIT_SIGNING_KEY_FILE: '.data/audit/signing-key.pem',
      AUDIT_CHECKPOINT_EVERY_ROWS: 200,
      AUDIT_CHECKPOINT_EVERY_MS: 10_000,
      AUDIT_ANCHOR_SLACK_MS: 60_000,
      AUDIT_EXPORT_RATE_LIMIT: 30,
    });
  });
  it('puts the generated key under TIERLINE_DATA_DIR and coerces the checkpoint policy', () => {
    const env = parseEnv(auditEnvSchema, {
      DATABASE_URL: 'postgres://a@b/c',
      TIERLINE_DATA_DIR: '/srv/tierline',
      AUDIT_CHECKPOINT_EVERY_ROWS: '50',
      AUDIT_CHECKPOINT_EVERY_MS: '2000',
      AUDIT_DB_ROLE: '',
    });
    expect(env).toMatchObject({ AUDIT_SIGNING_KEY_FILE: '/srv/tierline/audit/signing-key.pem', AUDIT_CHECKPOINT_EVERY_ROWS: 50, AUDIT_CHECKPOINT_EVERY_MS: 2000, AUDIT_DB_ROLE: '' });
  });
  it('rejects a non-NATS URL by name', () => {
    expect(() => parseEnv(auditEnvSchema, { DATABASE_URL: 'postgres://a@b/c', NATS_URL: 'http://x' })).toThrow(/NATS_URL/);
  });
  it('rejects a role name that would need quoting, and a zero checkpoint interval, by name', () => {
    expect(() => parseEnv(auditEnvSchema, { DATABASE_URL: 'postgres://a@b/c', AUDIT_DB_ROLE: 'x; drop table' })).toThrow(/AUDIT_DB_ROLE/);
    expect(() => parseEnv(auditEnvSchema, { DATABASE_URL: 'postgres://a@b/c', AUDIT_CHECKPOINT_EVERY_ROWS: '0' })).toThrow(/AUDIT_CHECKPOINT_EVERY_ROWS/);
  });
  it('logs in to NATS as its own user: takes NATS_USER and NATS_PASSWORD, names a user without its password', () => {
    const nats = parseEnv(auditEnvSchema, { ...{ DATABASE_URL: 'postgres://a@b/c' }, NATS_USER: 'audit', NATS_PASSWORD: 'audit-dev-secret' });
    expect([nats.NATS_USER, nats.NATS_PASSWORD]).toEqual(['audit', 'audit-dev-secret']);
    expect(parseEnv(auditEnvSchema, { DATABASE_URL: 'postgres://a@b/c' }).NATS_USER, 'unset: the user in NATS_URL, if any').toBeUndefined();
    expect(() => parseEnv(auditEnvSchema, { ...{ DATABASE_URL: 'postgres://a@b/c' }, NATS_USER: 'audit' })).toThrow(/NATS_PASSWORD: required with NATS_USER/);
    expect(() => parseEnv(auditEnvSchema, { ...{ DATABASE_URL: 'postgres://a@b/c' }, NATS_USER: 'audit x', NATS_PASSWORD: 'p' })).toThrow(/NATS_USER/);
  });
});
