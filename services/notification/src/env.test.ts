import { describe, expect, it } from 'vitest';
import { parseEnv } from '@tierline/platform';
import { notificationEnvSchema } from './env.js';

const base = { DATABASE_URL: 'postgres://a@b/c' };

describe('notification service environment', () => {
  it('defaults to the local mail server, the real command stream and the directory resolver', () => {
    const env = parseEnv(notificationEnvSchema, base);
    expect(env.SMTP_URL).toBe('smtp://127.0.0.1:1025');
    expect(env.NOTIFY_STREAM).toBe('TIERLINE_COMMANDS');
    expect(env.NOTIFY_SUBJECT).toBe('tierline.commands.notify');
    expect(env.RECIPIENT_RESOLVER).toBe('directory');
    expect(env.TOKEN_URL).toBe('http://localhost:8180/realms/tierline/protocol/openid-connect/token');
    expect(env.NOTIFY_BACKOFF_MS).toEqual([2000, 10000, 30000, 60000, 120000]);
  });
  it('names a bad SMTP URL', () => {
    expect(() => parseEnv(notificationEnvSchema, { ...base, SMTP_URL: 'mail.example' })).toThrow(/SMTP_URL/);
  });
  it('names a sender number that is not E.164 and a bad backoff list', () => {
    expect(() => parseEnv(notificationEnvSchema, { ...base, TWILIO_FROM: '555-0100' })).toThrow(/TWILIO_FROM/);
    expect(() => parseEnv(notificationEnvSchema, { ...base, NOTIFY_BACKOFF_MS: '1s,2s' })).toThrow(/NOTIFY_BACKOFF_MS/);
  });
  it('treats an empty optional URL as unset', () => {
    expect(parseEnv(notificationEnvSchema, { ...base, MAILPIT_URL: '', TWILIO_API_BASE: '' }).MAILPIT_URL).toBeUndefined();
  });
});
