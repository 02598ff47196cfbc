/**
 * Finding 6: rate limits and recorded client addresses are right behind the reverse proxy.
 *
 * Behind Caddy every request reaches a service from the proxy's address; the vendor's address is
 * in X-Forwarded-For. The number of proxies to trust is configuration (TRUSTED_PROXY_HOPS, set per
 * service in docker-compose.yml), read by one helper (platform clientAddress). Here the test itself
 * is the proxy: it connects from 127.0.0.1 and sends the header Caddy would send.
 *
 * The identity service runs in this process on the real PostgreSQL, NATS and Keycloak (its
 * directory synced from the realm, links minted with the notification service account's token).
 * Only the ticket service behind the Acknowledge button is played by the test: it accepts the
 * acknowledgement, as the ticket's workflow does when the ticket waits on this vendor.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { parse as parseYaml } from 'yaml';
import { clientAddress, type Sql } from '@tierline/platform';
import { serviceToken } from '@tierline/testing';
import { cleanupStack, serveApp } from '@tierline/test-fixtures';
import type { TicketService } from '@tierline/identity';
import { identityTest, type Identity } from './test/mfa-identity.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

describe('clientAddress behind N trusted proxies', () => {
  const servers = cleanupStack();
  afterAll(servers.run);
  /** What clientAddress answers over a real socket for this X-Forwarded-For, trusting `hops` proxies. */
  async function addressSeen(hops: number, forwarded?: string): Promise<string> {
    const app = new Hono();
    app.get('/', (c) => c.text(clientAddress(c, hops)));
    const { baseUrl } = await serveApp(app, servers);
    const res = await fetch(`${baseUrl}/`, { headers: forwarded ? { 'x-forwarded-for': forwarded } : {} });
    return res.text();
  }

  it('with 0 hops never trusts the header: the socket address', async () => {
    expect(await addressSeen(0, '203.0.113.7')).toMatch(/127\.0\.0\.1$/);
  });

  it('with 1 hop takes the address the proxy appended, not what the client wrote before it', async () => {
    expect(await addressSeen(1, '203.0.113.7')).toBe('203.0.113.7');
    expect(await addressSeen(1, '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
  });

  it('with 2 hops (Caddy, then the portal) takes the client that Caddy saw', async () => {
    // The client wrote 198.51.100.1; Caddy appended the client 203.0.113.7; the portal appended Caddy (10.0.0.2).
    expect(await addressSeen(2, '198.51.100.1, 203.0.113.7, 10.0.0.2')).toBe('203.0.113.7');
  });
});

describe('docker-compose.yml trusts exactly the proxies in front of each service', () => {
  const compose = parseYaml(readFileSync(`${REPO}docker-compose.yml`, 'utf8')) as { services: Record<string, { environment?: Record<string, string> }> };
  const hops = (name: string) => compose.services[name]?.environment?.['TRUSTED_PROXY_HOPS'];

  it('the identity service, whose /v/* pages Caddy forwards itself, trusts one', () => {
    expect(readFileSync(`${REPO}infra/docker/Caddyfile`, 'utf8')).toMatch(/handle \/v\/\*\s*\{\s*reverse_proxy\s*\{\s*dynamic a identity/);
    expect(hops('identity')).toBe('1');
  });

  it('the services the portal forwards /api to trust two: Caddy and the portal', () => {
    // The portal appends the address it received the request from (services/portal/src/server/proxy.ts).
    expect(readFileSync(`${REPO}services/portal/src/server/proxy.ts`, 'utf8')).toContain("headers.set('x-forwarded-for'");
    for (const name of ['ticket', 'notification', 'audit']) expect(hops(name), name).toBe('2');
  });
});

const acknowledged: string[] = [];

/** The ticket's workflow accepts the acknowledgement (the ticket waits on acme-it). */
const ticketService: TicketService = {
  vendorWait: () => Promise.resolve({ waiting: true, reason: null }),
  vendorAcknowledge: (ticketId) => {
    acknowledged.push(ticketId);
    return Promise.resolve({ ok: true, escalation: { clocks: [] } });
  },
  // Requester links are not what this file tests: the ticket refuses them.
  requesterCheck: () => Promise.resolve({ status: 'open', isRequester: false, answerable: false }),
  requesterClose: () => Promise.resolve({ ok: false, reason: 'not resolved' }),
  requesterReopen: () => Promise.resolve({ ok: false, reason: 'not resolved' }),
  requesterSatisfaction: () => Promise.resolve({ ok: false, reason: 'not resolved' }),
};

// The identity service as its tests start it (directory synced from the realm), the ticket
// service played by `ticketService`.
const test = identityTest('secproxy', { vendorLinks: { ticketService } });

describe('vendor link pages behind the proxy', () => {
  let sql: Sql;
  let serve: Identity['serve'];
  let valId = '';

  /** Another identity app on the same parts, trusting one proxy, with `perMinute` page requests an address. */
  const identity = (perMinute = 1000) => serve({ pageRateLimitPerMinute: perMinute }, { trustedProxyHops: 1 });

  /** A page request as Caddy forwards it: the vendor's address appended to X-Forwarded-For. */
  const viaProxy = (url: string, vendor: string, method: 'GET' | 'POST' = 'GET', written?: string) =>
    fetch(url, {
      method,
      headers: { 'x-forwarded-for': written ? `${written}, ${vendor}` : vendor, 'user-agent': 'Mozilla/5.0 (vendor laptop)', ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(method === 'POST' ? { body: '' } : {}),
    });

  test.beforeAll(async ({ identity: running }) => {
    ({ sql, serve } = running);
    valId = (await sql<{ id: string }[]>`select id from users where username = 'val.vendor'`)[0]!.id;
  });

  it('each vendor has its own budget of page requests, and writing the header does not buy another', async () => {
    const base = await identity(2);
    const page = `${base}/v/not-a-real-link`;
    // Vendor A uses up its two requests a minute...
    expect((await viaProxy(page, '203.0.113.10')).status).not.toBe(429);
    expect((await viaProxy(page, '203.0.113.10', 'GET', '192.0.2.99')).status).not.toBe(429);
    const over = await viaProxy(page, '203.0.113.10', 'GET', '192.0.2.100');
    expect(over.status, 'a third request of A, whatever it writes into the header').toBe(429);
    // ...while vendor B, behind the same proxy, still has its own.
    expect((await viaProxy(page, '203.0.113.20')).status, 'B is not limited by A').not.toBe(429);
  });

  it('records the vendor\'s address, not the proxy\'s, on the acknowledged link', async () => {
    const base = await identity();
    const ticketId = randomUUID();
    const mintBody = {
      ticketId,
      ticketNumber: 'IT-4242',
      priority: 'P1',
      siteId: 'north',
      level: null,
      vendorOrgId: 'acme-it',
      recipientId: valId,
      deadlineAt: new Date(Date.now() + 30 * 60_000).toISOString(),
      idempotencyKey: `${ticketId}:handoff:acme-it:${randomUUID()}`,
    };
    const minted = await fetch(`${base}/api/v1/vendor-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${(await serviceToken('tierline-notification')).access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify(mintBody),
    });
    expect(minted.status, await minted.clone().text()).toBe(201);
    const { id: linkId, url } = (await minted.json()) as { id: string; url: string };
    const token = url.split('/v/')[1]!;
    const ack = await viaProxy(`${base}/v/${token}/acknowledge`, '203.0.113.30', 'POST', '192.0.2.66');
    expect(ack.status, await ack.clone().text()).toBe(200);
    expect(acknowledged).toContain(ticketId);
    const [row] = await sql<{ used_ip: string | null }[]>`select used_ip from vendor_links where id = ${linkId}`;
    expect(row!.used_ip).toBe('203.0.113.30');
  });
});
