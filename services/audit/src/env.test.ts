import { describe, expect, it } from 'vitest';
import { parseEnv } from '@tierline/platform';
import { auditEnvSchema } from './env.js';

describe('audit service environment', () => {
  it('has working defaults beside the database', () => {
    const env = parseEnv(auditEnvSchema, { DATABASE_URL: 'postgresql://a@b/c' });
    expect(env).toMatchObject({ PORT: 3004, NATS_URL: 'nats://127.0.0.1:4222', AUDIT_DURABLE: 'audit' });
  });
  it('rejects a non-NATS URL by name', () => {
    expect(() => parseEnv(auditEnvSchema, { DATABASE_URL: 'postgres://a@b/c', NATS_URL: 'http://x' })).toThrow(/NATS_URL/);
  });
});
