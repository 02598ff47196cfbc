import { describe, expect, it } from 'vitest';
import { notificationEnvSchema } from '../env.js';

const base = { NODE_ENV: 'test', DATABASE_URL: 'postgres://tierline:tierline@127.0.0.1:55432/tierline' };
const problems = (env: Record<string, string>) => {
  const r = notificationEnvSchema.safeParse({ ...base, ...env });
  return r.success ? [] : r.error.issues.map((i) => String(i.path[0]));
};

describe('mail-in settings', () => {
  it('take the relay as addresses or CIDR blocks, and refuse anything else by name', () => {
    const env = notificationEnvSchema.parse({ ...base, INBOUND_ALLOWED_CLIENTS: '10.1.2.3, 192.168.0.0/16,fd00::/8' });
    expect(env.INBOUND_ALLOWED_CLIENTS).toEqual(['10.1.2.3', '192.168.0.0/16', 'fd00::/8']);
    expect(problems({ INBOUND_ALLOWED_CLIENTS: 'relay.clinic.example' })).toEqual(['INBOUND_ALLOWED_CLIENTS']);
    expect(problems({ INBOUND_ALLOWED_CLIENTS: '10.0.0.0/33' })).toEqual(['INBOUND_ALLOWED_CLIENTS']);
  });

  it('list reply token keys newest first, each long enough', () => {
    expect(notificationEnvSchema.parse({ ...base, REPLY_TOKEN_KEYS: 'new-key-0123456789ab,old-key-0123456789ab' }).REPLY_TOKEN_KEYS).toEqual(['new-key-0123456789ab', 'old-key-0123456789ab']);
    expect(problems({ REPLY_TOKEN_KEYS: 'short' })).toEqual(['REPLY_TOKEN_KEYS']);
  });

  it('need a real help-desk address', () => {
    expect(problems({ HELPDESK_ADDRESS: 'help desk' })).toEqual(['HELPDESK_ADDRESS']);
  });
});
