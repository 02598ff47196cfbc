import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@tierline/contracts';
import { closeRefusalWindows, countRefusal, createVendorLinkKeys, startRefusalWindows, vendorLinkOutbox, type IdentityDeps } from '@tierline/identity';
import type { Logger, Sql } from '@tierline/platform';
import { identityTest, type Identity } from './test/mfa-identity.js';

// The identity service as its tests start it; the per-address limit of link pages is not what
// this is about, so it stays out of the way of the 200 requests.
const test = identityTest('secrefusedlinks', { vendorLinks: { pageRateLimitPerMinute: 10_000, mintRateLimitPerMinute: 10, refusalWindowMs: 60_000 } })
  // Every vendor-link event published, followed from the start.
  .extend('published', { scope: 'file' }, async ({ nats }, { onCleanup }) => {
    const published: EventEnvelope[] = [];
    const sub = nats.nc.subscribe('tierline.events.vendor_link.>');
    onCleanup(() => sub.unsubscribe());
    void (async () => {
      for await (const m of sub) published.push(m.json<EventEnvelope>());
    })();
    return published;
  });

/**
 * Low: every refused vendor-link attempt used to publish its own vendor_link.refused event, which
 * the audit service keeps for ever: anyone could turn garbage requests into unerasable audit rows.
 * Refusals are now counted per window, reason, action and link, and each window is recorded as
 * one vendor_link.refusals_counted event carrying the count.
 */
describe('refused vendor-link attempts are counted, not recorded one by one', () => {
  let logger: Logger;
  let sql: Sql;
  let deps: IdentityDeps;
  let baseUrl: string;
  let serve: Identity['serve'];
  let published: EventEnvelope[] = [];

  test.beforeAll(({ identity, published: followed }) => {
    ({ logger, sql, deps, baseUrl, serve } = identity);
    published = followed;
  });

  const outbox = async () =>
    (await sql<{ event: EventEnvelope; published_at: Date | null }[]>`select event, published_at from vendor_link_outbox order by created_at`).map((r) => ({
      ...r.event,
      published: r.published_at !== null,
    }));
  const sumOf = (events: EventEnvelope[]) => events.reduce((n, e) => n + Number(e.data['count']), 0);

  it('200 garbage requests make at most a few events, carrying the count 200', { timeout: 60_000 }, async () => {
    const forger = await createVendorLinkKeys(generateKeyPairSync('ed25519').privateKey);
    const now = Math.floor(Date.now() / 1000);
    const forged = await forger.sign({ jti: randomUUID(), sub: 'x', tid: randomUUID(), lvl: null, org: 'acme', iat: now, exp: now + 3600 });
    const requests: Promise<Response>[] = [];
    for (let i = 0; i < 200; i++) {
      const token = i % 4 === 0 ? forged : i % 4 === 1 ? `${'a'.repeat(20)}.${i}.x` : `garbage-${i}-${randomUUID()}`;
      requests.push(i % 5 === 0 ? fetch(`${baseUrl}/v/${token}/acknowledge`, { method: 'POST' }) : fetch(`${baseUrl}/v/${token}`));
      if (requests.length % 20 === 0) await Promise.all(requests.slice(-20));
    }
    const answers = await Promise.all(requests);
    expect(new Set(answers.map((r) => r.status))).toEqual(new Set([400]));
    // Nothing recorded per request.
    expect(await outbox()).toEqual([]);

    // What the service's timer does once the window ended.
    await closeRefusalWindows(sql, new Date(Date.now() + 120_000));
    await vendorLinkOutbox.flush(sql, deps.js);
    const events = await outbox();
    // One per (window, action): two actions, and the 200 requests may straddle one window boundary.
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.length).toBeLessThanOrEqual(4);
    for (const e of events) {
      expect(e).toMatchObject({ type: 'vendor_link.refusals_counted', actor: { kind: 'system', id: 'vendor-link' }, published: true });
      expect(e.data).toMatchObject({ reason: 'tampered', linkId: null, ticketId: null });
      expect(Date.parse(String(e.data['windowEnd'])) - Date.parse(String(e.data['windowStart']))).toBe(60_000);
    }
    expect(sumOf(events)).toBe(200);
    expect(sumOf(events.filter((e) => e.data['action'] === 'acknowledge'))).toBe(40);
    // Each went out to NATS, where the audit service records it: one audit row per event.
    const ids = new Set(events.map((e) => e.id));
    const end = Date.now() + 10_000;
    while (published.filter((e) => ids.has(e.id)).length < ids.size && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(published.filter((e) => ids.has(e.id)).map((e) => e.data['count']).reduce((a, b) => Number(a) + Number(b), 0)).toBe(200);
    const [left] = await sql<{ n: number }[]>`select count(*)::int as n from vendor_link_refusal_counts`;
    expect(left).toEqual({ n: 0 });
  });

  it('a genuine-looking link (signed by us, no such link) keeps its link id, counted once per window', async () => {
    await sql`delete from vendor_link_outbox`;
    const now = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    const tid = randomUUID();
    const token = await deps.vendorLinks.keys.sign({ jti, sub: 'someone', tid, lvl: 1, org: 'acme', iat: now, exp: now + 3600 });
    for (let i = 0; i < 15; i++) expect((await fetch(`${baseUrl}/v/${token}`)).status).toBe(404);
    await closeRefusalWindows(sql, new Date(Date.now() + 120_000));
    const events = await outbox();
    expect(events.length).toBeLessThanOrEqual(2);
    expect(sumOf(events)).toBe(15);
    for (const e of events) expect(e).toMatchObject({ ticketId: tid, data: { reason: 'unknown', action: 'open', linkId: jti, ticketId: tid } });
  });

  it('loses no count: an attempt counted after its window was closed is reported in a later event', async () => {
    await sql`delete from vendor_link_outbox`;
    const t0 = new Date('2026-01-01T08:00:10Z');
    const r = { reason: 'expired', action: 'open', linkId: randomUUID(), ticketId: randomUUID() } as const;
    for (let i = 0; i < 3; i++) await countRefusal(sql, r, 60_000, t0);
    expect(await closeRefusalWindows(sql, new Date('2026-01-01T08:00:59Z'))).toBe(0);
    expect(await closeRefusalWindows(sql, new Date('2026-01-01T08:01:00Z'))).toBe(1);
    await countRefusal(sql, r, 60_000, t0);
    await countRefusal(sql, r, 60_000, new Date('2026-01-01T08:01:30Z'));
    expect(await closeRefusalWindows(sql, new Date('2026-01-01T08:02:00Z'))).toBe(2);
    const events = await outbox();
    expect(events.map((e) => [e.data['windowStart'], e.data['count']])).toEqual([
      ['2026-01-01T08:00:00.000Z', 3],
      ['2026-01-01T08:00:00.000Z', 1],
      ['2026-01-01T08:01:00.000Z', 1],
    ]);
  });

  it("the service's timer closes each ended window on its own", { timeout: 30_000 }, async () => {
    await sql`delete from vendor_link_outbox`;
    const fast = await serve({ refusalWindowMs: 1_000 });
    const windows = startRefusalWindows({ sql, js: deps.js, logger, everyMs: 100 });
    try {
      for (let i = 0; i < 5; i++) expect((await fetch(`${fast}/v/junk-${i}`)).status).toBe(400);
      const end = Date.now() + 15_000;
      // Closing a window commits its event, then the same tick publishes it: wait for both.
      const settled = (events: Awaited<ReturnType<typeof outbox>>) => sumOf(events) >= 5 && events.every((e) => (e as { published?: boolean }).published);
      while (!settled(await outbox()) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      const events = await outbox();
      expect(sumOf(events)).toBe(5);
      expect(events.length).toBeLessThanOrEqual(2);
      expect(events.every((e) => (e as { published?: boolean }).published)).toBe(true);
    } finally {
      await windows.stop();
    }
  });
});
