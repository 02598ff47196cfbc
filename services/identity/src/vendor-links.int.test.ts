/**
 * Vendor signed links end to end, on the real PostgreSQL, NATS JetStream, Temporal and Keycloak:
 * the ticket service (createTicketApp, with a worker running the ticket workflow on this file's
 * own task queue) listens on a port; the identity service calls it over HTTP with its service
 * account, exactly as in production.
 */
// First: keeps the Temporal worker's own logging to warnings.
import '@tierline/testing/quiet-temporal';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { connectNats, ensureStreams } from '@tierline/platform';
import { DEMO_PASSWORD, loginAs, serviceToken, testEnv } from '@tierline/testing';
import type { RunningApp } from '@tierline/test-fixtures';
import { api, collectEvents, identityWithTicketTest, type Identity } from './test/harness.js';
import { createTicketServiceClient } from './ticket-service.js';
import { serviceAccountTokens } from './service-token.js';
import { claimsOf, vendorLinkOutbox, type VendorLinkRow } from './vendor-links.js';

const env = testEnv();

const LABEL = 'vendor-links';
const test = identityWithTicketTest(LABEL);

/** An HTML request as a browser makes it: no token, a user agent. */
async function browse(url: string, method: 'GET' | 'POST' = 'GET', userAgent = 'Mozilla/5.0 (vendor laptop)') {
  const res = await fetch(url, {
    method,
    headers: { 'user-agent': userAgent, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(method === 'POST' ? { body: '' } : {}),
  });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PATIENT_TEXT = 'Jane Roe';

describe('vendor signed links', () => {
  let ticketSvc: RunningApp;
  let id: Identity;
  let events: ReturnType<typeof collectEvents>;
  let nurse: ReturnType<typeof api>;
  let agent: ReturnType<typeof api>;
  let lead: ReturnType<typeof api>;
  let valId = '';
  let alexId = '';

  const asNotification = async () => api(id.baseUrl, (await serviceToken('tierline-notification')).access_token);

  /** A P1 ticket handed to acme-it: its vendor contract clock runs. */
  async function handedTicket() {
    const created = await nurse('POST', '/api/v1/tickets', {
      title: `EHR down, ${PATIENT_TEXT} cannot be checked in`,
      description: `Front desk. ${PATIENT_TEXT}, DOB 1970-01-01, is waiting.`,
      category: 'network',
      siteId: 'north',
      impact: 'whole_site',
      urgency: 'high',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // The opening's automatic assignment records its event a moment after the ticket exists; wait
    // for it (a few seconds at most), so the tests' before/after snapshots see only their own steps.
    for (const end = Date.now() + 5_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      const esc = await agent('GET', `/api/v1/tickets/${created.body.id}/escalation`);
      if (esc.status === 200 && (esc.body.events as { type: string }[]).some((e) => e.type === 'ticket.assigned')) break;
    }
    const handed = await agent('POST', `/api/v1/tickets/${created.body.id}/hand-to-vendor`, { vendorOrgId: 'acme-it' });
    expect(handed.status, JSON.stringify(handed.body)).toBe(200);
    const clock = handed.body.escalation.clocks.find((c: { name: string }) => c.name === 'vendor_response');
    expect(clock.state, 'the P1 contract clock runs from the hand-off').toBe('running');
    return { id: created.body.id as string, number: created.body.number as string, priority: created.body.priority as string, deadlineAt: clock.deadlineAt as string };
  }

  async function mint(t: Awaited<ReturnType<typeof handedTicket>>, over: Record<string, unknown> = {}, baseUrl = id.baseUrl) {
    const body = {
      ticketId: t.id,
      ticketNumber: t.number,
      priority: t.priority,
      siteId: 'north',
      level: null,
      vendorOrgId: 'acme-it',
      recipientId: valId,
      deadlineAt: t.deadlineAt,
      idempotencyKey: `${t.id}:handoff:acme-it:${randomUUID()}`,
      ...over,
    };
    const res = await api(baseUrl, (await serviceToken('tierline-notification')).access_token)('POST', '/api/v1/vendor-links', body);
    return { ...res, request: body };
  }

  const linkRow = async (linkId: string) => (await id.sql<VendorLinkRow[]>`select * from vendor_links where id = ${linkId}`)[0]!;

  /** What must not move when a link is refused: the link row and the ticket's workflow. */
  async function snapshot(ticketId: string, linkId: string) {
    const esc = await agent('GET', `/api/v1/tickets/${ticketId}/escalation`);
    expect(esc.status, JSON.stringify(esc.body)).toBe(200);
    return {
      row: await linkRow(linkId),
      status: esc.body.status,
      clocks: esc.body.clocks.map((c: { name: string; state: string }) => `${c.name}:${c.state}`),
      workflowEvents: esc.body.events.map((e: { type: string }) => e.type),
    };
  }

  const typesFor = (linkId: string) => events.events.filter((e) => e.data['linkId'] === linkId).map((e) => e.type);

  /**
   * After a refusal: once its window is closed, a vendor_link.refusals_counted with that reason
   * and action arrived, and every event about the link since is such a count (no use, no issue):
   * nothing else happened.
   */
  async function expectRefusedOnly(linkId: string | null, before: string[], reason: string, action: 'open' | 'acknowledge') {
    await id.closeRefusals();
    await events.waitFor(
      (e) => e.type === 'vendor_link.refusals_counted' && e.data['reason'] === reason && e.data['action'] === action && e.data['linkId'] === linkId && !before.includes(e.id),
    );
    await sleep(300);
    const since = events.events.filter((e) => !before.includes(e.id) && e.data['linkId'] === linkId);
    expect(new Set(since.map((e) => `${e.type}:${String(e.data['reason'])}`))).toContain(`vendor_link.refusals_counted:${reason}`);
    expect(since.every((e) => e.type === 'vendor_link.refusals_counted')).toBe(true);
  }
  const seen = () => events.events.map((e) => e.id);

  test.beforeAll(async ({ ticketSvc: ticket, identity }) => {
    ticketSvc = ticket;
    id = identity;
    events = collectEvents(id.nc, 'tierline.events.vendor_link.>');
    await id.sql`insert into sites (id, name, time_zone) values ('north', 'North Clinic', 'America/New_York')`;
    valId = (await id.sql<{ id: string }[]>`select id from users where username = 'val.vendor'`)[0]!.id;
    alexId = (await id.sql<{ id: string }[]>`select id from users where username = 'alex.agent'`)[0]!.id;
    nurse = api(ticketSvc.baseUrl, (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token);
    agent = api(ticketSvc.baseUrl, (await loginAs('alex.agent', DEMO_PASSWORD)).access_token);
    lead = api(id.baseUrl, (await loginAs('lee.lead', DEMO_PASSWORD)).access_token);
  });
  afterAll(() => {
    events?.stop();
  });

  let used: { ticketId: string; linkId: string; url: string } | null = null;

  it('happy path: minted for the vendor user, opened without changing anything, acknowledged into the workflow and onto the ticket', async () => {
    const t = await handedTicket();
    const minted = await mint(t);
    expect(minted.status, JSON.stringify(minted.body)).toBe(201);
    expect(minted.body).toEqual({ id: expect.any(String), url: expect.stringMatching(/^http:\/\/vendor-links\.test\/v\/[\w-]+\.[\w-]+\.[\w-]+$/), expiresAt: expect.any(String) });
    const { url } = minted.body as { url: string };
    const token = url.split('/v/')[1]!;
    const expiresIn = Date.parse(minted.body.expiresAt) - Date.now();
    expect(expiresIn, 'the default lifetime is 4 hours').toBeGreaterThan(239 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(240 * 60_000);

    // A redelivered notification command gets the same link back, and no second row.
    const again = await mint(t, { idempotencyKey: minted.request.idempotencyKey });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toEqual(minted.body);
    expect((await id.sql`select 1 from vendor_links where ticket_id = ${t.id}`).length).toBe(1);
    const issued = await events.waitFor((e) => e.type === 'vendor_link.issued' && e.data['linkId'] === minted.body.id);
    expect(issued).toMatchObject({ ticketId: t.id, actor: { kind: 'system', id: 'tierline-notification' }, data: { ticketNumber: t.number, recipientId: valId, level: null } });

    // Anyone can check the link offline against the public key.
    const jwks = await api(id.baseUrl)('GET', '/api/v1/vendor-links/jwks.json');
    expect(jwks.status, 'the key set needs no login').toBe(200);
    const offline = await jwtVerify(token, createLocalJWKSet(jwks.body), { algorithms: ['EdDSA'], issuer: 'tierline-identity', audience: 'tierline-vendor-link' });
    expect(offline.payload).toMatchObject({ jti: minted.body.id, sub: valId, tid: t.id, lvl: null, org: 'acme-it' });

    // Opening shows the facts and the button, and changes nothing (mail scanners open links too).
    for (let i = 0; i < 2; i++) {
      const page = await browse(url.replace('http://vendor-links.test', id.baseUrl));
      expect(page.status, page.html).toBe(200);
      expect(page.html).toContain(`Ticket ${t.number} is escalated to you`);
      expect(page.html).toMatch(/<dt>Priority<\/dt><dd>P1<\/dd>/);
      expect(page.html).toMatch(/<dt>Site<\/dt><dd>North Clinic<\/dd>/);
      expect(page.html, "the contract deadline, in the site's time zone").toMatch(new RegExp(`<time datetime="${new Date(t.deadlineAt).toISOString()}">[^<]+ GMT-[45]</time>`));
      expect(page.html).toContain(`<form method="post" action="${token}/acknowledge">`);
      expect(page.html).toContain('<button type="submit"');
      expect(page.html).toContain('<html lang="en">');
      expect(page.html, 'no patient data, nothing a clinic user wrote').not.toContain(PATIENT_TEXT);
      expect(page.html, 'no script at all').not.toMatch(/<script/i);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; form-action 'self'/);
    }
    expect((await linkRow(minted.body.id)).used_at, 'opening does not use the link').toBeNull();

    const ack = await browse(`${id.baseUrl}/v/${token}/acknowledge`, 'POST', 'Mozilla/5.0 (acme laptop)');
    expect(ack.status, ack.html).toBe(200);
    expect(ack.html).toContain(`Acknowledged: ${t.number}`);
    expect(ack.html).toContain('Resolution due');

    const row = await linkRow(minted.body.id);
    expect(row.used_at).toBeInstanceOf(Date);
    expect(row.used_ip).toMatch(/127\.0\.0\.1$/);
    expect(row.used_user_agent).toBe('Mozilla/5.0 (acme laptop)');

    // The workflow: the vendor clock moved from response to resolution, by the vendor, via the link.
    const esc = await agent('GET', `/api/v1/tickets/${t.id}/escalation`);
    const clock = (name: string) => esc.body.clocks.find((c: { name: string }) => c.name === name).state;
    expect(clock('vendor_response')).toBe('stopped');
    expect(clock('vendor_resolution')).toBe('running');
    const timeline = await eventually('ticket.vendor_acknowledged on the timeline', async () => {
      const r = await agent('GET', `/api/v1/tickets/${t.id}/timeline`);
      return r.body.items.find((e: { type: string }) => e.type === 'ticket.vendor_acknowledged');
    });
    expect(timeline).toMatchObject({ actor: { kind: 'user', id: valId }, data: { vendorOrgId: 'acme-it', via: 'signed_link' } });

    const usedEvent = await events.waitFor((e) => e.type === 'vendor_link.used' && e.data['linkId'] === minted.body.id);
    expect(usedEvent).toMatchObject({
      ticketId: t.id,
      actor: { kind: 'user', id: valId, role: 'vendor' },
      data: { recipientId: valId, vendorOrgId: 'acme-it', level: null, userAgent: 'Mozilla/5.0 (acme laptop)', ip: expect.stringMatching(/127\.0\.0\.1$/) },
    });
    expect(JSON.stringify(events.events), 'the token is never in an event').not.toContain(token);
    expect(JSON.stringify(events.events)).not.toContain(PATIENT_TEXT);

    // IT sees the ticket's links, without tokens.
    const listed = await api(id.baseUrl, (await loginAs('alex.agent', DEMO_PASSWORD)).access_token)('GET', `/api/v1/vendor-links?ticketId=${t.id}`);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: minted.body.id, status: 'used', recipientId: valId, usedUserAgent: 'Mozilla/5.0 (acme laptop)' })]);
    expect(JSON.stringify(listed.body)).not.toContain(token.split('.')[2]);
    used = { ticketId: t.id, linkId: minted.body.id, url: `${id.baseUrl}/v/${token}` };
  });

  it('replay: a used link says when it was used and changes nothing', async () => {
    expect(used, 'runs after the happy path').not.toBeNull();
    const { ticketId, linkId, url } = used!;
    const before = await snapshot(ticketId, linkId);
    const ev = seen();
    const again = await browse(`${url}/acknowledge`, 'POST');
    expect(again.status, again.html).toBe(409);
    expect(again.html).toContain('This link was already used');
    expect(again.html).toContain(`<time datetime="${before.row.used_at!.toISOString()}">`);
    expect(again.html).toContain('Nothing was changed.');
    await expectRefusedOnly(linkId, ev, 'used', 'acknowledge');
    const opened = await browse(url);
    expect(opened.status).toBe(409);
    expect(await snapshot(ticketId, linkId)).toEqual(before);
  });

  it('two submits at once acknowledge once: the row lock serialises them', async () => {
    const t = await handedTicket();
    const minted = await mint(t);
    const url = `${id.baseUrl}/v/${minted.body.url.split('/v/')[1]}/acknowledge`;
    const results = await Promise.all([browse(url, 'POST'), browse(url, 'POST')]);
    expect(results.map((r) => r.status).sort(), results.map((r) => r.html).join('\n')).toEqual([200, 409]);
    // The second waited for the first's lock and found the link used; it never reached the ticket.
    expect(results.find((r) => r.status === 409)!.html).toContain('This link was already used');
    const timeline = await eventually('the acknowledgement on the timeline', async () => {
      const r = await agent('GET', `/api/v1/tickets/${t.id}/timeline`);
      return r.body.items.some((e: { type: string }) => e.type === 'ticket.vendor_acknowledged') ? r.body.items : undefined;
    });
    await sleep(500);
    const final = (await agent('GET', `/api/v1/tickets/${t.id}/timeline`)).body.items;
    expect(final.filter((e: { type: string }) => e.type === 'ticket.vendor_acknowledged'), JSON.stringify(timeline)).toHaveLength(1);
    expect(typesFor(minted.body.id).filter((x) => x === 'vendor_link.used')).toHaveLength(1);
  });

  it('expired: refused on open and on submit, nothing changes', async () => {
    const t = await handedTicket();
    const shortLived = await id.serve({ ttlMs: 1_000 });
    const minted = await mint(t, {}, shortLived);
    expect(minted.status, JSON.stringify(minted.body)).toBe(201);
    const url = `${id.baseUrl}/v/${minted.body.url.split('/v/')[1]}`;
    await sleep(Date.parse(minted.body.expiresAt) - Date.now() + 100);
    const before = await snapshot(t.id, minted.body.id);
    const ev = seen();
    const opened = await browse(url);
    expect(opened.status, opened.html).toBe(410);
    expect(opened.html).toContain('This link has expired');
    expect(opened.html).toContain(`<time datetime="${new Date(minted.body.expiresAt).toISOString()}">`);
    await expectRefusedOnly(minted.body.id, ev, 'expired', 'open');
    const ev2 = seen();
    const submitted = await browse(`${url}/acknowledge`, 'POST');
    expect(submitted.status, submitted.html).toBe(410);
    await expectRefusedOnly(minted.body.id, ev2, 'expired', 'acknowledge');
    expect(await snapshot(t.id, minted.body.id)).toEqual(before);
    expect(before.clocks).toContain('vendor_response:running');
  });

  it('tampered: a changed payload or signature is refused as invalid, nothing changes', async () => {
    const t = await handedTicket();
    const minted = await mint(t);
    const token = minted.body.url.split('/v/')[1] as string;
    const [h, p, s] = token.split('.') as [string, string, string];
    const flip = (x: string) => x.slice(0, 10) + (x[10] === 'A' ? 'B' : 'A') + x.slice(11);
    // The payload names another ticket: exactly what an attacker would try.
    const otherTicket = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), tid: randomUUID() })).toString('base64url');
    const before = await snapshot(t.id, minted.body.id);
    for (const bad of [`${h}.${flip(p)}.${s}`, `${h}.${otherTicket}.${s}`, `${h}.${p}.${flip(s)}`]) {
      const ev = seen();
      const opened = await browse(`${id.baseUrl}/v/${bad}`);
      expect(opened.status, opened.html).toBe(400);
      expect(opened.html).toContain('This link is not valid');
      expect(opened.html).not.toContain(t.number);
      await expectRefusedOnly(null, ev, 'tampered', 'open');
      const submitted = await browse(`${id.baseUrl}/v/${bad}/acknowledge`, 'POST');
      expect(submitted.status).toBe(400);
    }
    expect(await snapshot(t.id, minted.body.id)).toEqual(before);
    // The genuine link still works afterwards: nothing was consumed.
    expect((await browse(`${id.baseUrl}/v/${token}`)).status).toBe(200);
  });

  it('wrong recipient: claims that do not match the link, or a recipient no longer an enabled vendor user, are refused', async () => {
    const t = await handedTicket();
    const minted = await mint(t);
    const row = await linkRow(minted.body.id);
    // Signed with the real key, so only the comparison with the stored link can catch it.
    const forged = await id.deps.vendorLinks.keys.sign({ ...claimsOf(row), sub: alexId });
    const before = await snapshot(t.id, minted.body.id);
    let ev = seen();
    const asAlex = await browse(`${id.baseUrl}/v/${forged}/acknowledge`, 'POST');
    expect(asAlex.status, asAlex.html).toBe(403);
    expect(asAlex.html).toContain('This link is not for you');
    await expectRefusedOnly(minted.body.id, ev, 'wrong_recipient', 'acknowledge');

    const url = minted.body.url.replace('http://vendor-links.test', id.baseUrl) as string;
    // The directory says Val is disabled now (as a sync from Keycloak would write it).
    await id.sql`update users set enabled = false where id = ${valId}`;
    try {
      ev = seen();
      const opened = await browse(url);
      expect(opened.status, opened.html).toBe(403);
      expect(opened.html, 'nothing about the ticket for the wrong person').not.toContain(t.number);
      await expectRefusedOnly(minted.body.id, ev, 'wrong_recipient', 'open');
      expect((await browse(`${url}/acknowledge`, 'POST')).status).toBe(403);
      // And moved to another vendor organisation.
      await id.sql`update users set enabled = true, vendor_org = 'other-vendor' where id = ${valId}`;
      expect((await browse(`${url}/acknowledge`, 'POST')).status).toBe(403);
    } finally {
      await id.sql`update users set enabled = true, vendor_org = 'acme-it' where id = ${valId}`;
    }
    expect(await snapshot(t.id, minted.body.id)).toEqual(before);
    expect((await browse(url)).status, 'the right recipient still can').toBe(200);
  });

  it('revoked: only IT leads and admins revoke; the link then says so and changes nothing; the reason stays out of the event', async () => {
    const t = await handedTicket();
    const minted = await mint(t);
    const url = minted.body.url.replace('http://vendor-links.test', id.baseUrl) as string;
    const agentCall = api(id.baseUrl, (await loginAs('alex.agent', DEMO_PASSWORD)).access_token);
    expect((await agentCall('POST', `/api/v1/vendor-links/${minted.body.id}/revoke`, { reason: 'sent to the wrong person' })).status).toBe(403);
    expect((await lead('POST', `/api/v1/vendor-links/${minted.body.id}/revoke`, {})).body.error.details[0].path).toBe('reason');
    const revoked = await lead('POST', `/api/v1/vendor-links/${minted.body.id}/revoke`, { reason: 'sent to the wrong person' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body).toMatchObject({ id: minted.body.id, status: 'revoked', revokeReason: 'sent to the wrong person', revokedAt: expect.any(String) });
    const ev = await events.waitFor((e) => e.type === 'vendor_link.revoked' && e.data['linkId'] === minted.body.id);
    expect(JSON.stringify(ev), 'free text stays out of events').not.toContain('wrong person');
    expect((await lead('POST', `/api/v1/vendor-links/${minted.body.id}/revoke`, { reason: 'again' })).status).toBe(409);

    const before = await snapshot(t.id, minted.body.id);
    let seenIds = seen();
    const opened = await browse(url);
    expect(opened.status, opened.html).toBe(410);
    expect(opened.html).toContain('This link was withdrawn');
    await expectRefusedOnly(minted.body.id, seenIds, 'revoked', 'open');
    seenIds = seen();
    expect((await browse(`${url}/acknowledge`, 'POST')).status).toBe(410);
    await expectRefusedOnly(minted.body.id, seenIds, 'revoked', 'acknowledge');
    expect(await snapshot(t.id, minted.body.id)).toEqual(before);
    expect(before.clocks).toContain('vendor_response:running');
    // A used link cannot be revoked after the fact.
    expect((await lead('POST', `/api/v1/vendor-links/${used!.linkId}/revoke`, { reason: 'too late' })).status).toBe(409);
  });

  it('a ticket no longer waiting for the vendor: the page says so and the link stays unused', async () => {
    const t = await handedTicket();
    const minted = await mint(t);
    const url = minted.body.url.replace('http://vendor-links.test', id.baseUrl) as string;
    expect((await agent('POST', `/api/v1/tickets/${t.id}/resolve`, { resolution: 'Internal IT fixed the switch' })).status).toBe(200);
    const before = await snapshot(t.id, minted.body.id);
    const ev = seen();
    const opened = await browse(url);
    expect(opened.status, opened.html).toBe(409);
    expect(opened.html).toContain('Nothing to acknowledge');
    expect(opened.html).toContain(`${t.number} is resolved`);
    await expectRefusedOnly(minted.body.id, ev, 'not_waiting', 'open');
    const submitted = await browse(`${url}/acknowledge`, 'POST');
    expect(submitted.status, submitted.html).toBe(409);
    expect(await snapshot(t.id, minted.body.id)).toEqual(before);
  });

  it('the ticket service unreachable: a "try again" page, the link stays usable', async () => {
    const t = await handedTicket();
    const minted = await mint(t);
    const token = minted.body.url.split('/v/')[1] as string;
    const noTickets = await id.serve({
      ticketService: createTicketServiceClient({ baseUrl: 'http://127.0.0.1:1', token: serviceAccountTokens({ baseUrl: env.keycloakUrl, realm: env.realm, clientId: 'tierline-identity', clientSecret: 'tierline-identity-dev-secret' }) }),
    });
    const before = await snapshot(t.id, minted.body.id);
    const res = await browse(`${noTickets}/v/${token}/acknowledge`, 'POST');
    expect(res.status, res.html).toBe(503);
    expect(res.html).toContain('Nothing was changed; the link still works.');
    expect(await snapshot(t.id, minted.body.id)).toEqual(before);
    expect((await browse(`${id.baseUrl}/v/${token}/acknowledge`, 'POST')).status).toBe(200);
  });

  it('a used event is not lost while NATS is down: it waits in the outbox and the flush publishes it', async () => {
    const t = await handedTicket();
    const minted = await mint(t);
    const token = minted.body.url.split('/v/')[1] as string;
    const dead = await connectNats(env.natsUrl, 'vendor-links-dead');
    const deadJs = (await ensureStreams(dead)).jetstream();
    await dead.close();
    const natsDown = await id.serve({}, { js: deadJs });
    const ack = await browse(`${natsDown}/v/${token}/acknowledge`, 'POST');
    expect(ack.status, ack.html).toBe(200);
    const [pending] = await id.sql<{ published_at: Date | null; type: string }[]>`
      select published_at, event->>'type' as type from vendor_link_outbox where event->'data'->>'linkId' = ${minted.body.id} and event->>'type' = 'vendor_link.used'`;
    expect(pending, 'written with the acknowledgement').toMatchObject({ type: 'vendor_link.used', published_at: null });
    await sleep(300);
    expect(typesFor(minted.body.id)).not.toContain('vendor_link.used');
    expect(await vendorLinkOutbox.flush(id.sql, id.deps.js)).toBeGreaterThanOrEqual(1);
    await events.waitFor((e) => e.type === 'vendor_link.used' && e.data['linkId'] === minted.body.id);
    const [after] = await id.sql<{ published_at: Date | null }[]>`
      select published_at from vendor_link_outbox where event->'data'->>'linkId' = ${minted.body.id} and event->>'type' = 'vendor_link.used'`;
    expect(after!.published_at).toBeInstanceOf(Date);
  });

  it('only the notification service mints, for enabled vendor users of that organisation; bad bodies name the fields', async () => {
    const t = await handedTicket();
    const notification = await asNotification();
    const body = { ticketId: t.id, ticketNumber: t.number, priority: 'P1', siteId: 'north', level: 2, vendorOrgId: 'acme-it', recipientId: valId, deadlineAt: null, idempotencyKey: `k-${randomUUID()}` };
    for (const [who, token] of [
      ['the worker service account', (await serviceToken('tierline-worker')).access_token],
      ['the ticket service account', (await serviceToken('tierline-ticket')).access_token],
      ['an IT lead', (await loginAs('lee.lead', DEMO_PASSWORD)).access_token],
    ] as const) {
      const res = await api(id.baseUrl, token)('POST', '/api/v1/vendor-links', body);
      expect(res.status, `${who}: ${JSON.stringify(res.body)}`).toBe(403);
    }
    expect((await api(id.baseUrl)('POST', '/api/v1/vendor-links', body)).status).toBe(401);

    const notVendor = await notification('POST', '/api/v1/vendor-links', { ...body, recipientId: alexId });
    expect(notVendor.status).toBe(422);
    expect(notVendor.body.error.message).toMatch(/is not a vendor user/);
    const otherOrg = await notification('POST', '/api/v1/vendor-links', { ...body, vendorOrgId: 'other-vendor' });
    expect(otherOrg.status).toBe(422);
    expect(otherOrg.body.error.message).toMatch(/does not belong to vendor organisation other-vendor/);
    const nobody = await notification('POST', '/api/v1/vendor-links', { ...body, recipientId: 'no-such-user' });
    expect(nobody.body.error.message).toMatch(/is not in the directory/);

    const bad = await notification('POST', '/api/v1/vendor-links', { ...body, ticketId: 'nope', priority: 'P9', extra: true });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['(body)', 'priority', 'ticketId']);

    const first = await notification('POST', '/api/v1/vendor-links', body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const otherTicket = await notification('POST', '/api/v1/vendor-links', { ...body, ticketId: randomUUID() });
    expect(otherTicket.status, 'the same key for another ticket').toBe(409);
    expect(otherTicket.body.error.message).toMatch(/already used for another ticket/);
  });

  it('lists links to IT and auditors only', async () => {
    const t = await handedTicket();
    await mint(t);
    const nurseCall = api(id.baseUrl, (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token);
    expect((await nurseCall('GET', `/api/v1/vendor-links?ticketId=${t.id}`)).status).toBe(403);
    expect((await (await asNotification())('GET', `/api/v1/vendor-links?ticketId=${t.id}`)).status).toBe(403);
    const auditor = api(id.baseUrl, (await loginAs('audrey.auditor', DEMO_PASSWORD)).access_token);
    const listed = await auditor('GET', `/api/v1/vendor-links?ticketId=${t.id}`);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.items.map((l: { status: string }) => l.status)).toEqual(['open']);
    expect((await auditor('GET', '/api/v1/vendor-links?ticketId=x')).status).toBe(400);
  });

  it('the ticket service acts on links only for the identity service account, and only while the ticket is with that vendor', async () => {
    const t = await handedTicket();
    const body = { linkId: randomUUID(), vendorUserId: valId, vendorOrgId: 'acme-it' };
    const path = `/api/v1/tickets/${t.id}/vendor-link-acknowledge`;
    expect((await api(ticketSvc.baseUrl, (await serviceToken('tierline-notification')).access_token)('POST', path, body)).status).toBe(403);
    expect((await agent('POST', path, body)).status).toBe(403);
    const identity = api(ticketSvc.baseUrl, (await serviceToken('tierline-identity')).access_token);
    const otherVendor = await identity('POST', path, { ...body, vendorOrgId: 'other-vendor' });
    expect(otherVendor.status).toBe(409);
    expect(otherVendor.body.error.message).toBe(`${t.number} is no longer escalated to other-vendor`);
    const check = await identity('GET', `/api/v1/tickets/${t.id}/vendor-link-check?vendorOrgId=acme-it`);
    expect(check.body).toEqual({ ticketNumber: t.number, waitingForVendor: true, reason: null });
    expect((await identity('POST', path, body)).status).toBe(200);
    const twice = await identity('POST', path, body);
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe(`the vendor already acknowledged ${t.number}`);
  });

  it('documents every vendor link route in both services\' OpenAPI descriptions', async () => {
    const identityDoc = await api(id.baseUrl)('GET', '/api/v1/identity/openapi.json');
    expect(identityDoc.status).toBe(200);
    expect(Object.keys(identityDoc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/vendor-links', '/api/v1/vendor-links/jwks.json', '/api/v1/vendor-links/{id}/revoke', '/v/{token}', '/v/{token}/acknowledge']),
    );
    expect(Object.keys(identityDoc.body.paths['/v/{token}'].get.responses).sort()).toEqual(['200', '400', '403', '404', '409', '410', '429', '503']);
    const ticketDoc = await api(ticketSvc.baseUrl)('GET', '/api/v1/openapi.json');
    expect(Object.keys(ticketDoc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/tickets/{id}/vendor-link-acknowledge', '/api/v1/tickets/{id}/vendor-link-check']));
  });

  it('rate limits: a page per client address past the limit, the envelope for minting', async () => {
    const limited = await id.serve({ pageRateLimitPerMinute: 3, mintRateLimitPerMinute: 2 });
    for (let i = 0; i < 2; i++) expect((await browse(`${limited}/v/garbage.${i}.x`)).status).toBe(400);
    expect((await browse(`${limited}/v/${'a'.repeat(3000)}.b.c`)).status, 'an overlong token is refused unparsed').toBe(400);
    const over = await browse(`${limited}/v/garbage.4.x`);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(over.html).toContain('Too many requests');
    expect((await browse(`${limited}/v/garbage.5.x/acknowledge`, 'POST')).status, 'submits count too').toBe(429);

    const notification = api(limited, (await serviceToken('tierline-notification')).access_token);
    expect((await notification('POST', '/api/v1/vendor-links', {})).status).toBe(400);
    expect((await notification('POST', '/api/v1/vendor-links', {})).status).toBe(400);
    const third = await notification('POST', '/api/v1/vendor-links', {});
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('RATE_LIMITED');
  });
});
