import { describe, expect, it } from 'vitest';
import { parseEnv } from '@tierline/platform';
import { notificationEnvSchema } from './env.js';

describe('notification service environment', () => {
  it('defaults to the local mail server', () => {
    expect(parseEnv(notificationEnvSchema, { DATABASE_URL: 'postgres://a@b/c' }).SMTP_URL).toBe('smtp://127.0.0.1:1025');
  });
  it('names a bad SMTP URL', () => {
    expect(() => parseEnv(notificationEnvSchema, { DATABASE_URL: 'postgres://a@b/c', SMTP_URL: 'mail.example' })).toThrow(/SMTP_URL/);
  });
});
