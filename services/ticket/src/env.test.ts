import { describe, expect, it } from 'vitest';
import { parseEnv } from '@tierline/platform';
import { ticketEnvSchema } from './env.js';

describe('ticket service environment', () => {
  it('applies defaults and derives the issuer and JWKS URL', () => {
    const env = parseEnv(ticketEnvSchema, { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' });
    expect(env.PORT).toBe(3001);
    expect(env.KEYCLOAK_ISSUER).toBe('http://localhost:8180/realms/tierline');
    expect(env.JWKS_URL).toBe('http://localhost:8180/realms/tierline/protocol/openid-connect/certs');
    expect(env.TICKET_CATEGORIES).toContain('ehr');
    expect(env.TICKET_CREATE_RATE_LIMIT_PER_MINUTE).toBe(120);
    expect(env.POLICY_PUBLISH_RATE_LIMIT_PER_MINUTE).toBe(10);
    expect(env.DATABASE_POOL_MAX).toBe(20);
  });

  it('takes the pool size from the environment and refuses one too small to hold a creation and a read', () => {
    expect(parseEnv(ticketEnvSchema, { DATABASE_URL: 'postgres://x@db/t', DATABASE_POOL_MAX: '50' }).DATABASE_POOL_MAX).toBe(50);
    expect(() => parseEnv(ticketEnvSchema, { DATABASE_URL: 'postgres://x@db/t', DATABASE_POOL_MAX: '1' })).toThrow(/DATABASE_POOL_MAX/);
  });

  it('takes rate limits from the environment and refuses a limit that is not a positive number', () => {
    expect(parseEnv(ticketEnvSchema, { DATABASE_URL: 'postgres://x@db/t', TICKET_CREATE_RATE_LIMIT_PER_MINUTE: '100000' }).TICKET_CREATE_RATE_LIMIT_PER_MINUTE).toBe(100000);
    expect(() => parseEnv(ticketEnvSchema, { DATABASE_URL: 'postgres://x@db/t', POLICY_PUBLISH_RATE_LIMIT_PER_MINUTE: '0' })).toThrow(/POLICY_PUBLISH_RATE_LIMIT_PER_MINUTE/);
  });

  it('reads the object store and the attachment limits, and wants both keys or neither', () => {
    const base = { DATABASE_URL: 'postgres://x@db/t' };
    const defaults = parseEnv(ticketEnvSchema, base);
    expect([defaults.S3_ENDPOINT, defaults.S3_REGION, defaults.S3_BUCKET, defaults.S3_FORCE_PATH_STYLE]).toEqual([undefined, 'us-east-1', 'tierline-attachments', true]);
    expect([defaults.ATTACHMENT_MAX_BYTES, defaults.ATTACHMENTS_PER_TICKET, defaults.ATTACHMENT_PENDING_MINUTES]).toEqual([10 * 1024 * 1024, 20, 15]);
    const set = parseEnv(ticketEnvSchema, { ...base, S3_ENDPOINT: 'http://store:7070', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's', S3_FORCE_PATH_STYLE: 'false', ATTACHMENT_MAX_BYTES: '1024' });
    expect([set.S3_ENDPOINT, set.S3_FORCE_PATH_STYLE, set.ATTACHMENT_MAX_BYTES]).toEqual(['http://store:7070', false, 1024]);
    expect(() => parseEnv(ticketEnvSchema, { ...base, S3_ACCESS_KEY_ID: 'k' })).toThrow(/S3_SECRET_ACCESS_KEY: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together/);
    expect(() => parseEnv(ticketEnvSchema, { ...base, S3_BUCKET: 'Not A Bucket' })).toThrow(/S3_BUCKET/);
  });

  it('keeps an explicit issuer distinct from the internal Keycloak address', () => {
    const env = parseEnv(ticketEnvSchema, {
      DATABASE_URL: 'postgres://x@db/t',
      KEYCLOAK_URL: 'http://keycloak:8080',
      KEYCLOAK_ISSUER: 'https://id.clinic.example/realms/tierline',
    });
    expect(env.KEYCLOAK_ISSUER).toBe('https://id.clinic.example/realms/tierline');
    expect(env.JWKS_URL).toBe('http://keycloak:8080/realms/tierline/protocol/openid-connect/certs');
  });

  it('names every bad variable', () => {
    expect(() => parseEnv(ticketEnvSchema, { DATABASE_URL: 'mysql://x', PORT: 'abc', TICKET_CATEGORIES: 'Bad Category' })).toThrow(
      /DATABASE_URL[\s\S]*PORT|PORT[\s\S]*DATABASE_URL/,
    );
    expect(() => parseEnv(ticketEnvSchema, {})).toThrow(/DATABASE_URL/);
    expect(() => parseEnv(ticketEnvSchema, { DATABASE_URL: 'postgres://x@db/t', TICKET_CATEGORIES: 'Bad Category' })).toThrow(
      /TICKET_CATEGORIES/,
    );
  });
  it('logs in to NATS as its own user: takes NATS_USER and NATS_PASSWORD, names a user without its password', () => {
    const nats = parseEnv(ticketEnvSchema, { ...{ DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' }, NATS_USER: 'ticket', NATS_PASSWORD: 'ticket-dev-secret' });
    expect([nats.NATS_USER, nats.NATS_PASSWORD]).toEqual(['ticket', 'ticket-dev-secret']);
    expect(parseEnv(ticketEnvSchema, { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' }).NATS_USER, 'unset: the user in NATS_URL, if any').toBeUndefined();
    expect(() => parseEnv(ticketEnvSchema, { ...{ DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' }, NATS_USER: 'ticket' })).toThrow(/NATS_PASSWORD: required with NATS_USER/);
    expect(() => parseEnv(ticketEnvSchema, { ...{ DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' }, NATS_USER: 'ticket x', NATS_PASSWORD: 'p' })).toThrow(/NATS_USER/);
  });
});
