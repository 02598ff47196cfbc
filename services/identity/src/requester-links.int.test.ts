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
const test = identityWithTicketTest(LABEL);

describe('requester links: minting', () => {
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
});
