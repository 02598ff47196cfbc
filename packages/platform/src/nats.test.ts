import { afterEach, describe, expect, it } from 'vitest';
import { testEnv } from '@tierline/testing';
import { connectNats, messageJson, parseNatsServers } from './nats.js';

describe('NATS_URL with credentials', () => {
  it('takes user and password off every URL of the list', () => {
    expect(parseNatsServers('nats://tests:tests-dev-secret@127.0.0.1:4222,nats://tests:tests-dev-secret@10.0.0.2:4222')).toEqual({
      servers: ['nats://127.0.0.1:4222', 'nats://10.0.0.2:4222'],
      credentials: { user: 'tests', password: 'tests-dev-secret' },
    });
  });
  it('decodes escaped characters and leaves URLs without credentials alone', () => {
    expect(parseNatsServers('tls://a%40b:p%3Aw%2Fd@nats.internal:4222')).toEqual({
      servers: ['tls://nats.internal:4222'],
      credentials: { user: 'a@b', password: 'p:w/d' },
    });
    expect(parseNatsServers('nats://127.0.0.1:4222')).toEqual({ servers: ['nats://127.0.0.1:4222'], credentials: {} });
  });
  it('refuses a list whose servers carry different credentials', () => {
    expect(() => parseNatsServers('nats://a:1@h1:4222,nats://b:2@h2:4222')).toThrow(/same credentials/);
  });
  it('refuses a user without a password, or a user name that cannot be an inbox prefix, before connecting', async () => {
    await expect(connectNats('nats://127.0.0.1:1', 'x', undefined, { user: 'ticket' })).rejects.toThrow(/ticket has no password/);
    await expect(connectNats('nats://127.0.0.1:1', 'x', undefined, { user: 'a.b', password: 'p' })).rejects.toThrow(/NATS user must be/);
  });
});

describe('testEnv NATS settings', () => {
  const saved = { NATS_URL: process.env.NATS_URL, NATS_USER: process.env.NATS_USER, NATS_PASSWORD: process.env.NATS_PASSWORD };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  it('puts the tests user into natsUrl and keeps the bare servers in natsServers', () => {
    process.env.NATS_URL = 'nats://127.0.0.1:14222,nats://127.0.0.1:14223';
    delete process.env.NATS_USER;
    delete process.env.NATS_PASSWORD;
    const env = testEnv();
    expect(env.natsUrl).toBe('nats://tests:tests-dev-secret@127.0.0.1:14222,nats://tests:tests-dev-secret@127.0.0.1:14223');
    expect(env.natsServers).toBe('nats://127.0.0.1:14222,nats://127.0.0.1:14223');
    expect(parseNatsServers(env.natsUrl).credentials).toEqual({ user: 'tests', password: 'tests-dev-secret' });
  });
  it('keeps credentials that NATS_URL already has', () => {
    process.env.NATS_URL = 'nats://someone:secret@127.0.0.1:4222';
    expect(testEnv().natsUrl).toBe('nats://someone:secret@127.0.0.1:4222');
    expect(testEnv().natsServers).toBe('nats://127.0.0.1:4222');
  });
});

describe('messageJson', () => {
  it('answers the body of a JSON message and undefined for one that is not JSON', () => {
    const message = (text: string) => ({ json: <T>() => JSON.parse(text) as T });
    expect(messageJson(message('{"id":"e-1"}'))).toEqual({ id: 'e-1' });
    expect(messageJson(message('not json'))).toBeUndefined();
  });
});
