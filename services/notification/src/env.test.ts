import { describe, expect, it } from 'vitest';
import { parseEnv } from '@tierline/platform';
import { notificationEnvSchema } from './env.js';

const base = { DATABASE_URL: 'postgres://a@b/c' };

describe('notification service environment', () => {
  it('defaults to the local mail server, the real command stream and the local identity and ticket services', () => {
    const env = parseEnv(notificationEnvSchema, base);
    expect(env.SMTP_URL).toBe('smtp://127.0.0.1:1025');
    expect(env.NOTIFY_STREAM).toBe('TIERLINE_COMMANDS');
    expect(env.NOTIFY_SUBJECT).toBe('tierline.commands.notify');
    expect(env.IDENTITY_SERVICE_URL).toBe('http://127.0.0.1:3002');
    expect(env.TICKET_SERVICE_URL).toBe('http://127.0.0.1:3001');
    expect(env.TOKEN_URL).toBe('http://localhost:8180/realms/tierline/protocol/openid-connect/token');
    expect(env.NOTIFY_BACKOFF_MS).toEqual([2000, 10000, 30000, 60000, 120000]);
  });
  it('names a bad SMTP URL and a bad service URL', () => {
    expect(() => parseEnv(notificationEnvSchema, { ...base, SMTP_URL: 'mail.example' })).toThrow(/SMTP_URL/);
    expect(() => parseEnv(notificationEnvSchema, { ...base, TICKET_SERVICE_URL: 'ticket:3001' })).toThrow(/TICKET_SERVICE_URL/);
  });
  it('names a sender number that is not E.164 and a bad backoff list', () => {
    expect(() => parseEnv(notificationEnvSchema, { ...base, TWILIO_FROM: '555-0100' })).toThrow(/TWILIO_FROM/);
    expect(() => parseEnv(notificationEnvSchema, { ...base, NOTIFY_BACKOFF_MS: '1s,2s' })).toThrow(/NOTIFY_BACKOFF_MS/);
  });
  it('treats an empty optional URL as unset', () => {
    expect(parseEnv(notificationEnvSchema, { ...base, MAILPIT_URL: '', TWILIO_API_BASE: '' }).MAILPIT_URL).toBeUndefined();
  });
  it('logs in to NATS as its own user: takes NATS_USER and NATS_PASSWORD, names a user without its password', () => {
    const nats = parseEnv(notificationEnvSchema, { ...base, NATS_USER: 'notification', NATS_PASSWORD: 'notification-dev-secret' });
    expect([nats.NATS_USER, nats.NATS_PASSWORD]).toEqual(['notification', 'notification-dev-secret']);
    expect(parseEnv(notificationEnvSchema, base).NATS_USER, 'unset: the user in NATS_URL, if any').toBeUndefined();
    expect(() => parseEnv(notificationEnvSchema, { ...base, NATS_USER: 'notification' })).toThrow(/NATS_PASSWORD: required with NATS_USER/);
    expect(() => parseEnv(notificationEnvSchema, { ...base, NATS_USER: 'notification x', NATS_PASSWORD: 'p' })).toThrow(/NATS_USER/);
  });
});
