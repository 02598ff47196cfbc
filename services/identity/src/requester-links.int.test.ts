/**
 * Requester links ("Fixed" / "Not fixed") end to end, on the real PostgreSQL, NATS JetStream,
 * Temporal and Keycloak: the ticket service with a worker on this file's own task queue; the
 * identity service calls it over HTTP with its service account, as in production.
 */
// First: keeps the Temporal worker's own logging to warnings.
import '@tierline/testing/quiet-temporal';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { DEMO_PASSWORD, loginAs, serviceToken } from '@tierline/testing';
import type { RunningApp } from '@tierline/test-fixtures';
import { api, collectEvents, identityWithTicketTest, type Identity } from './test/harness.js';
import type { RequesterLinkRow } from './requester-links.js';

const LABEL = 'requester-links';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An HTML request as a browser makes it: no token, a user agent, a form body on POST. */
async function browse(url: string, method: 'GET' | 'POST' = 'GET', form: Record<string, string> = {}, userAgent = 'Mozilla/5.0 (ward PC)') {
  const res = await fetch(url, {
    method,
    headers: { 'user-agent': userAgent, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(method === 'POST' ? { body: new URLSearchParams(form).toString() } : {}),
  });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
const test = identityWithTicketTest(LABEL);

describe('requester links', () => {
  let ticketSvc: RunningApp;
  let id: Identity;
  let events: ReturnType<typeof collectEvents>;
  let nurse: ReturnType<typeof api>;
  let agent: ReturnType<typeof api>;
  let noraId = '';

  async function resolvedTicket() {
    const created = await nurse('POST', '/api/v1/tickets', {
      title: 'Label printer at the front desk jams',
      description: 'Every second label comes out crumpled.',
      category: 'hardware',
      siteId: 'north',
      impact: 'one_user',
      urgency: 'low',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const resolved = await agent('POST', `/api/v1/tickets/${created.body.id}/resolve`, { resolution: 'Replaced the roller.' });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    return { id: created.body.id as string, number: created.body.number as string };
  }

  async function mint(t: { id: string; number: string }, over: Record<string, unknown> = {}, as = 'tierline-notification') {
    const body = { ticketId: t.id, ticketNumber: t.number, recipientId: noraId, idempotencyKey: `${t.id}:resolved:${randomUUID()}`, ...over };
    const res = await api(id.baseUrl, (await serviceToken(as)).access_token)('POST', '/api/v1/requester-links', body);
    return { ...res, request: body };
  }
  const rows = async (ticketId: string) => id.sql<RequesterLinkRow[]>`select * from requester_links where ticket_id = ${ticketId}`;

  test.beforeAll(async ({ ticketSvc: ticket, identity }) => {
    ticketSvc = ticket;
    id = identity;
    events = collectEvents(id.nc, 'tierline.events.requester_link.>');
    noraId = (await id.sql<{ id: string }[]>`select id from users where username = 'nora.nurse'`)[0]!.id;
    nurse = api(ticketSvc.baseUrl, (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token);
    agent = api(ticketSvc.baseUrl, (await loginAs('alex.agent', DEMO_PASSWORD)).access_token);
  });
  afterAll(() => events?.stop());

  it('the notification service mints a pair; the same key and recipient give the same pair again', async () => {
    const t = await resolvedTicket();
    const minted = await mint(t);
    expect(minted.status, JSON.stringify(minted.body)).toBe(201);
    expect(minted.body).toEqual({
      fixedUrl: expect.stringMatching(/^http:\/\/vendor-links\.test\/r\/[\w-]+\.[\w-]+\.[\w-]+$/),
      notFixedUrl: expect.stringMatching(/^http:\/\/vendor-links\.test\/r\/[\w-]+\.[\w-]+\.[\w-]+$/),
      expiresAt: expect.any(String),
    });
    expect(minted.body.fixedUrl).not.toBe(minted.body.notFixedUrl);
    const expiresIn = Date.parse(minted.body.expiresAt) - Date.now();
    expect(expiresIn, 'the default lifetime is 7 days').toBeGreaterThan(7 * 24 * 3_600_000 - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(7 * 24 * 3_600_000);

    const again = await mint(t, { idempotencyKey: minted.request.idempotencyKey });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toEqual(minted.body);
    expect(await rows(t.id)).toHaveLength(1);

    // Both links are one row: the tokens name it and say which button they carry; offline-verifiable.
    const jwks = await api(id.baseUrl)('GET', '/api/v1/vendor-links/jwks.json');
    const [row] = await rows(t.id);
    for (const [url, ans] of [[minted.body.fixedUrl, 'fixed'], [minted.body.notFixedUrl, 'not_fixed']] as const) {
      const token = (url as string).split('/r/')[1]!;
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks.body), { algorithms: ['EdDSA'], issuer: 'tierline-identity', audience: 'tierline-requester-link' });
      expect(payload).toMatchObject({ jti: row!.id, sub: noraId, tid: t.id, ans });
      expect(protectedHeader.typ).toBe('requester-link+jwt');
      // A requester link is no vendor link.
      await expect(jwtVerify(token, createLocalJWKSet(jwks.body), { audience: 'tierline-vendor-link' })).rejects.toThrow();
    }
    const issued = await events.waitFor((e) => e.type === 'requester_link.issued' && e.data['linkId'] === row!.id);
    expect(issued).toMatchObject({ ticketId: t.id, actor: { kind: 'system', id: 'tierline-notification' }, data: { ticketNumber: t.number, recipientId: noraId } });
    expect(JSON.stringify(events.events), 'the tokens are never in an event').not.toContain(minted.body.fixedUrl.split('/r/')[1]);
  });

  it('only the notification service account mints; bad bodies are 400s naming the field; unknown people 422', async () => {
    const t = await resolvedTicket();
    const asIdentity = await mint(t, {}, 'tierline-identity');
    expect(asIdentity.status, JSON.stringify(asIdentity.body)).toBe(403);
    const asNurse = await api(id.baseUrl, (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token)('POST', '/api/v1/requester-links', {
      ticketId: t.id,
      ticketNumber: t.number,
      recipientId: noraId,
      idempotencyKey: 'k',
    });
    expect(asNurse.status).toBe(403);
    expect((await api(id.baseUrl)('POST', '/api/v1/requester-links', {})).status).toBe(401);
    const bad = await mint(t, { ticketId: 'not-a-uuid' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('ticketId');
    const extra = await mint(t, { priority: 'P1' });
    expect(extra.status).toBe(400);
    const nobody = await mint(t, { recipientId: 'no-such-user' });
    expect(nobody.status, JSON.stringify(nobody.body)).toBe(422);
    expect(nobody.body.error.message).toContain('no-such-user');
    // The same key for another ticket is refused, never merged.
    const first = await mint(t);
    const other = await resolvedTicket();
    const reused = await mint(other, { idempotencyKey: first.request.idempotencyKey });
    expect(reused.status, JSON.stringify(reused.body)).toBe(409);
    expect(await rows(t.id)).toHaveLength(1);
    expect(await rows(other.id)).toHaveLength(0);
  });

  /** The links of a fresh pair, pointed at this test's identity service. */
  async function pair(t: { id: string; number: string }, over: Record<string, unknown> = {}, baseUrl = id.baseUrl) {
    const minted = await mintAt(baseUrl, t, over);
    expect(minted.status, JSON.stringify(minted.body)).toBe(201);
    const local = (u: string) => u.replace('http://vendor-links.test', id.baseUrl);
    const [row] = await id.sql<RequesterLinkRow[]>`select * from requester_links where idempotency_key = ${minted.request.idempotencyKey}`;
    return { fixed: local(minted.body.fixedUrl), notFixed: local(minted.body.notFixedUrl), linkId: row!.id, expiresAt: minted.body.expiresAt as string };
  }
  async function mintAt(baseUrl: string, t: { id: string; number: string }, over: Record<string, unknown> = {}) {
    const body = { ticketId: t.id, ticketNumber: t.number, recipientId: noraId, idempotencyKey: `${t.id}:resolved:${randomUUID()}`, ...over };
    const res = await api(baseUrl, (await serviceToken('tierline-notification')).access_token)('POST', '/api/v1/requester-links', body);
    return { ...res, request: body };
  }
  const linkRow = async (linkId: string) => (await id.sql<RequesterLinkRow[]>`select * from requester_links where id = ${linkId}`)[0]!;

  /** What must not move when a link is refused: the pair's row and the ticket's workflow. */
  async function snapshot(ticketId: string, linkId: string) {
    const esc = await agent('GET', `/api/v1/tickets/${ticketId}/escalation`);
    return { row: await linkRow(linkId), status: esc.body.status, workflowEvents: esc.body.events?.map((e: { type: string }) => e.type) ?? null };
  }
  const timelineOf = async (ticketId: string) => (await agent('GET', `/api/v1/tickets/${ticketId}/timeline`)).body.items as { type: string; actor: { id: string }; data: Record<string, unknown> }[];

  it('opening either link changes nothing; "Fixed" closes the ticket as the requester, then takes one satisfaction answer', async () => {
    const t = await resolvedTicket();
    const links = await pair(t);
    const before = await snapshot(t.id, links.linkId);
    expect(before.status).toBe('resolved');
    // Mail scanners open links: each page shows its button and changes nothing.
    for (let i = 0; i < 2; i++) {
      const fixed = await browse(links.fixed);
      expect(fixed.status, fixed.html).toBe(200);
      expect(fixed.html).toContain(`Is ticket ${t.number} fixed?`);
      expect(fixed.html).toContain(`<form method="post" action="${links.fixed.split('/r/')[1]}/answer">`);
      expect(fixed.html).not.toContain('Label printer');
      expect(fixed.html).not.toMatch(/<script/i);
      expect(fixed.headers.get('cache-control')).toBe('no-store');
      expect(fixed.headers.get('referrer-policy')).toBe('no-referrer');
      expect(fixed.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; form-action 'self'/);
      const notFixed = await browse(links.notFixed);
      expect(notFixed.status, notFixed.html).toBe(200);
      expect(notFixed.html).toContain('<textarea id="reason" name="reason" required');
    }
    expect(await snapshot(t.id, links.linkId), 'opening changed nothing').toEqual(before);

    const pressed = await browse(`${links.fixed}/answer`, 'POST', {}, 'Mozilla/5.0 (nora phone)');
    expect(pressed.status, pressed.html).toBe(200);
    expect(pressed.html).toContain(`Thank you: ${t.number} is closed`);
    expect(pressed.html).toContain('<form method="post" action="satisfaction">');
    const row = await linkRow(links.linkId);
    expect(row).toMatchObject({ used_answer: 'fixed', used_user_agent: 'Mozilla/5.0 (nora phone)' });
    expect(row.used_ip).toMatch(/127\.0\.0\.1$/);
    expect((await agent('GET', `/api/v1/tickets/${t.id}`)).body.status).toBe('closed');
    const closed = await eventually('ticket.closed on the timeline', async () => (await timelineOf(t.id)).find((e) => e.type === 'ticket.closed'));
    expect(closed.actor.id, 'closed by the requester').toBe(noraId);
    const used = await events.waitFor((e) => e.type === 'requester_link.used' && e.data['linkId'] === links.linkId);
    expect(used).toMatchObject({ ticketId: t.id, actor: { kind: 'user', id: noraId }, data: { answer: 'fixed', userAgent: 'Mozilla/5.0 (nora phone)' } });

    // The question is optional but, when sent, needs a rating; a bad one shows the form again.
    const noRating = await browse(`${links.fixed}/satisfaction`, 'POST', { comment: 'quick' });
    expect(noRating.status, noRating.html).toBe(400);
    expect(noRating.html).toContain('Choose a number from 1 to 5');
    const answered = await browse(`${links.fixed}/satisfaction`, 'POST', { rating: '4', comment: 'Quick, thanks to Alex.' });
    expect(answered.status, answered.html).toBe(200);
    expect(answered.html).toContain('Thank you for your answer');
    const sat = await agent('GET', `/api/v1/tickets/${t.id}/satisfaction`);
    expect(sat.status, JSON.stringify(sat.body)).toBe(200);
    expect(sat.body.items).toEqual([{ linkId: links.linkId, ticketId: t.id, requesterId: noraId, rating: 4, comment: 'Quick, thanks to Alex.', answeredAt: expect.any(String) }]);
    const recorded = await eventually('ticket.satisfaction_recorded on the timeline', async () => (await timelineOf(t.id)).find((e) => e.type === 'ticket.satisfaction_recorded'));
    expect(recorded.data, 'the event carries the rating, never the comment').toEqual({ number: t.number, rating: 4, commented: true });

    // Once: a second answer, the other link and the used one are all refused.
    const again = await browse(`${links.fixed}/satisfaction`, 'POST', { rating: '1' });
    expect(again.status, again.html).toBe(409);
    expect((await agent('GET', `/api/v1/tickets/${t.id}/satisfaction`)).body.items).toHaveLength(1);
    const other = await browse(links.notFixed);
    expect(other.status, other.html).toBe(409);
    expect(other.html).toContain('This link was already used');
    expect(other.html).toContain('“Fixed”');
    const otherPress = await browse(`${links.notFixed}/answer`, 'POST', { reason: 'still jams' });
    expect(otherPress.status, otherPress.html).toBe(409);
    expect((await agent('GET', `/api/v1/tickets/${t.id}`)).body.status).toBe('closed');
  });

  it('"Not fixed" needs a reason, then reopens the ticket with it as the requester; the pair is spent', async () => {
    const t = await resolvedTicket();
    const links = await pair(t);
    const before = await snapshot(t.id, links.linkId);
    const empty = await browse(`${links.notFixed}/answer`, 'POST', { reason: '  ' });
    expect(empty.status, empty.html).toBe(400);
    expect(empty.html).toContain('Tell IT what is still wrong');
    expect(empty.html, 'the form posts to the same address again').toContain('<form method="post" action="answer">');
    expect(await snapshot(t.id, links.linkId), 'a missing reason changes nothing and spends nothing').toEqual(before);

    const pressed = await browse(`${links.notFixed}/answer`, 'POST', { reason: 'It still jams on every second label.' });
    expect(pressed.status, pressed.html).toBe(200);
    expect(pressed.html).toContain(`Ticket ${t.number} is reopened`);
    expect((await linkRow(links.linkId)).used_answer).toBe('not_fixed');
    expect((await agent('GET', `/api/v1/tickets/${t.id}`)).body.status).toBe('in_progress');
    const reopened = await eventually('ticket.reopened on the timeline', async () => (await timelineOf(t.id)).find((e) => e.type === 'ticket.reopened'));
    expect(reopened.actor.id).toBe(noraId);
    const notes = (await agent('GET', `/api/v1/tickets/${t.id}/comments`)).body.items as { kind: string; body: string; authorId: string }[];
    expect(notes.find((n) => n.kind === 'reopen_reason')).toMatchObject({ body: 'It still jams on every second label.', authorId: noraId });
    const used = await events.waitFor((e) => e.type === 'requester_link.used' && e.data['linkId'] === links.linkId);
    expect(JSON.stringify(used), 'the reason stays out of the identity events').not.toContain('jams');

    const fixedAfter = await browse(`${links.fixed}/answer`, 'POST');
    expect(fixedAfter.status, fixedAfter.html).toBe(409);
    expect(fixedAfter.html).toContain('“Not fixed”');
    expect((await agent('GET', `/api/v1/tickets/${t.id}`)).body.status).toBe('in_progress');
    // "Fixed" after "Not fixed" never reaches the satisfaction question either.
    expect((await browse(`${links.fixed}/satisfaction`, 'POST', { rating: '5' })).status).toBe(409);
  });

  it('both buttons pressed at once: one acts, the other finds the pair spent', async () => {
    const t = await resolvedTicket();
    const links = await pair(t);
    const results = await Promise.all([browse(`${links.fixed}/answer`, 'POST'), browse(`${links.notFixed}/answer`, 'POST', { reason: 'Still broken here.' })]);
    expect(results.map((r) => r.status).sort(), results.map((r) => r.html).join('\n')).toEqual([200, 409]);
    await sleep(300);
    const tl = await timelineOf(t.id);
    expect(tl.filter((e) => e.type === 'ticket.closed' || e.type === 'ticket.reopened')).toHaveLength(1);
  });

  it('expired, forged and tampered links are refused with a page that says so; nothing changes', async () => {
    const t = await resolvedTicket();
    const shortLived = await id.serve({}, { requesterLinks: { ttlMs: 1_000 } });
    const expired = await pair(t, {}, shortLived);
    await sleep(Date.parse(expired.expiresAt) - Date.now() + 100);
    const before = await snapshot(t.id, expired.linkId);
    const opened = await browse(expired.fixed);
    expect(opened.status, opened.html).toBe(410);
    expect(opened.html).toContain('This link has expired');
    expect((await browse(`${expired.fixed}/answer`, 'POST')).status).toBe(410);
    expect((await browse(`${expired.notFixed}/answer`, 'POST', { reason: 'still broken' })).status).toBe(410);
    expect(await snapshot(t.id, expired.linkId)).toEqual(before);

    const links = await pair(t);
    const token = links.fixed.split('/r/')[1]!;
    const [h, p, sig] = token.split('.') as [string, string, string];
    const flip = (x: string) => x.slice(0, 10) + (x[10] === 'A' ? 'B' : 'A') + x.slice(11);
    // "Fixed" made into "Not fixed" by editing the payload; a changed signature; a cut-short link.
    const asNotFixed = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), ans: 'not_fixed' })).toString('base64url');
    for (const forged of [`${h}.${asNotFixed}.${sig}`, `${h}.${p}.${flip(sig)}`, token.slice(0, -5), 'garbage']) {
      const page = await browse(`${id.baseUrl}/r/${forged}`);
      expect(page.status, page.html).toBe(400);
      expect(page.html).toContain('This link is not valid');
      expect((await browse(`${id.baseUrl}/r/${forged}/answer`, 'POST', { reason: 'forged reason' })).status).toBe(400);
    }
    // A vendor link's token is no requester link, and the other way round.
    const vendorShaped = await browse(`${id.baseUrl}/v/${token}`);
    expect(vendorShaped.status, vendorShaped.html).toBe(400);
    expect(await snapshot(t.id, links.linkId)).toEqual({ ...before, row: await linkRow(links.linkId) });
    expect((await linkRow(links.linkId)).used_at).toBeNull();
    expect((await agent('GET', `/api/v1/tickets/${t.id}`)).body.status).toBe('resolved');
  });

  it('a link sent to someone who is not the requester is refused by the ticket service; nothing changes', async () => {
    const t = await resolvedTicket();
    const alexId = (await id.sql<{ id: string }[]>`select id from users where username = 'alex.agent'`)[0]!.id;
    const links = await pair(t, { recipientId: alexId });
    const opened = await browse(links.fixed);
    expect(opened.status, opened.html).toBe(403);
    expect(opened.html).toContain('This link is not for you');
    const pressed = await browse(`${links.notFixed}/answer`, 'POST', { reason: 'not mine but still' });
    expect(pressed.status, pressed.html).toBe(403);
    expect((await linkRow(links.linkId)).used_at).toBeNull();
    expect((await agent('GET', `/api/v1/tickets/${t.id}`)).body.status).toBe('resolved');
  });

  it('links stop working once the ticket is no longer resolved', async () => {
    const t = await resolvedTicket();
    const links = await pair(t);
    const closed = await agent('POST', `/api/v1/tickets/${t.id}/close`, {});
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    const opened = await browse(links.notFixed);
    expect(opened.status, opened.html).toBe(409);
    expect(opened.html).toContain('already closed');
    const pressed = await browse(`${links.notFixed}/answer`, 'POST', { reason: 'Still jams.' });
    expect(pressed.status, pressed.html).toBe(409);
    expect((await linkRow(links.linkId)).used_at, 'the pair stays unused: nothing happened').toBeNull();
  });

  it("the ticket service's requester-link routes: only the identity service account; satisfaction is read by IT only", async () => {
    const t = await resolvedTicket();
    const body = { linkId: randomUUID(), requesterId: noraId };
    for (const [who, call] of [
      ['the requester herself', nurse],
      ['an IT agent', agent],
      ['the notification service', api(ticketSvc.baseUrl, (await serviceToken('tierline-notification')).access_token)],
    ] as const) {
      for (const [path, b] of [['requester-link-close', body], ['requester-link-reopen', { ...body, reason: 'still broken' }], ['requester-link-satisfaction', { ...body, rating: 3, comment: null }]] as const) {
        const r = await call('POST', `/api/v1/tickets/${t.id}/${path}`, b);
        expect(r.status, `${who} ${path}: ${JSON.stringify(r.body)}`).toBe(403);
      }
      expect((await call('GET', `/api/v1/tickets/${t.id}/requester-link-check?requesterId=${noraId}`)).status).toBe(403);
    }
    const asIdentity = api(ticketSvc.baseUrl, (await serviceToken('tierline-identity')).access_token);
    const check = await asIdentity('GET', `/api/v1/tickets/${t.id}/requester-link-check?requesterId=${noraId}`);
    expect(check.body).toEqual({ ticketNumber: t.number, status: 'resolved', isRequester: true, answerable: true });
    const notHers = await asIdentity('POST', `/api/v1/tickets/${t.id}/requester-link-close`, { ...body, requesterId: 'someone-else' });
    expect(notHers.status, JSON.stringify(notHers.body)).toBe(403);
    const badRating = await asIdentity('POST', `/api/v1/tickets/${t.id}/requester-link-satisfaction`, { ...body, rating: 9, comment: null });
    expect(badRating.status).toBe(400);
    expect(JSON.stringify(badRating.body)).toContain('rating');
    const shortReason = await asIdentity('POST', `/api/v1/tickets/${t.id}/requester-link-reopen`, { ...body, reason: 'x' });
    expect(shortReason.status).toBe(400);
    expect((await nurse('GET', `/api/v1/tickets/${t.id}/satisfaction`)).status).toBe(403);
    expect((await agent('GET', `/api/v1/tickets/${t.id}/satisfaction`)).body).toEqual({ items: [] });
    // The satisfaction answer is idempotent per link.
    const first = await asIdentity('POST', `/api/v1/tickets/${t.id}/requester-link-satisfaction`, { ...body, rating: 5, comment: 'great' });
    const retry = await asIdentity('POST', `/api/v1/tickets/${t.id}/requester-link-satisfaction`, { ...body, rating: 1, comment: null });
    expect(first.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect((await agent('GET', `/api/v1/tickets/${t.id}/satisfaction`)).body.items).toHaveLength(1);
  });
});
