import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '@tierline/testing';
import { connectNats, type NatsConnection } from './nats.js';
import { createRevocationWatcher, revokeTokensIssuedBefore, revokeUser, unrevokeUser, type RevocationWatcher } from './revocation.js';

async function within(ms: number, check: () => boolean): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

describe('revocation bucket on the real NATS', () => {
  let nc: NatsConnection;
  let watcher: RevocationWatcher;
  beforeAll(async () => {
    nc = await connectNats(testEnv().natsUrl, 'revocation-test');
    watcher = await createRevocationWatcher(nc);
    await watcher.ready;
  });
  afterAll(async () => {
    await watcher?.stop();
    await nc?.drain();
  });

  // docs/security.md promises two seconds; it is typically well under 0.3 s.
  it('sees a disable and a re-enable within the documented two seconds', async () => {
    const sub = randomUUID();
    expect(watcher.isRevoked(sub)).toBe(false);
    await revokeUser(nc, sub);
    const delay = await within(2_000, () => watcher.isRevoked(sub));
    await unrevokeUser(nc, sub);
    await within(2_000, () => !watcher.isRevoked(sub));
    expect(delay).toBeLessThan(2_000);
  });

  it('a watcher started later reads the current content, deletions included', async () => {
    const kept = randomUUID();
    const lifted = randomUUID();
    await revokeUser(nc, kept);
    await revokeUser(nc, lifted);
    await unrevokeUser(nc, lifted);
    const late = await createRevocationWatcher(nc);
    try {
      await late.ready;
      expect(late.isRevoked(kept)).toBe(true);
      expect(late.isRevoked(lifted)).toBe(false);
    } finally {
      await late.stop();
      await unrevokeUser(nc, kept);
    }
  });

  it('a disabled account has every token refused; "issued before" refuses the older tokens only', async () => {
    const disabled = randomUUID();
    const signedOut = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    await revokeUser(nc, disabled);
    await revokeTokensIssuedBefore(nc, signedOut, new Date(now * 1000));
    await within(2_000, () => watcher.isRevoked(disabled) && watcher.isRevoked(signedOut, now));
    expect(watcher.isRevoked(disabled, now + 3_600), 'even a token issued later').toBe(true);
    expect(watcher.isRevoked(signedOut, now - 60)).toBe(true);
    expect(watcher.isRevoked(signedOut, now + 1), 'a token from a later login').toBe(false);
    await unrevokeUser(nc, disabled);
    await unrevokeUser(nc, signedOut);
  });
});
