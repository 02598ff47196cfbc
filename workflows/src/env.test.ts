import { describe, expect, it } from 'vitest';
import { parseEnv } from '@tierline/platform';
import { workerEnvSchema } from './env.js';

const base = { DATABASE_URL: 'postgres://a@b/c' };

describe('worker environment', () => {
  it('has working defaults beside the database', () => {
    const env = parseEnv(workerEnvSchema, base);
    expect(env).toMatchObject({ NATS_URL: 'nats://127.0.0.1:4222', TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_NAMESPACE: 'tierline', TICKET_TASK_QUEUE: 'tierline-tickets' });
    expect(env.NATS_USER, 'unset: the user in NATS_URL, if any').toBeUndefined();
  });
  it('logs in to NATS as its own user: takes NATS_USER and NATS_PASSWORD, names a user without its password', () => {
    const env = parseEnv(workerEnvSchema, { ...base, NATS_USER: 'worker', NATS_PASSWORD: 'worker-dev-secret' });
    expect([env.NATS_USER, env.NATS_PASSWORD]).toEqual(['worker', 'worker-dev-secret']);
    expect(() => parseEnv(workerEnvSchema, { ...base, NATS_USER: 'worker' })).toThrow(/NATS_PASSWORD: required with NATS_USER/);
    expect(() => parseEnv(workerEnvSchema, { ...base, NATS_USER: 'worker', NATS_PASSWORD: '' })).toThrow(/NATS_PASSWORD/);
  });
  it('serves its metrics and the SDK\'s on two local ports by default, and names a bad address', () => {
    expect(parseEnv(workerEnvSchema, base)).toMatchObject({ METRICS_ADDRESS: '127.0.0.1:9465', TEMPORAL_METRICS_ADDRESS: '127.0.0.1:9464' });
    expect(() => parseEnv(workerEnvSchema, { ...base, METRICS_ADDRESS: '9465' })).toThrow(/METRICS_ADDRESS: must be host:port/);
  });
  it('names a bad NATS URL and Temporal address', () => {
    expect(() => parseEnv(workerEnvSchema, { ...base, NATS_URL: 'http://x', TEMPORAL_ADDRESS: 'nohost' })).toThrow(/NATS_URL[\s\S]*TEMPORAL_ADDRESS/);
  });
});
