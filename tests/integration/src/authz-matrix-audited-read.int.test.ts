import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JetStreamClient } from '@nats-io/jetstream';
import { DEFAULT_CATEGORIES } from '@tierline/contracts';
import { createLogger, createTokenVerifier } from '@tierline/platform';
import { testEnv } from '@tierline/testing';
import { demoToken, subjectOf } from '@tierline/test-fixtures';
import { createTicketApp } from '@tierline/ticket';
import { api, eventually, startSlice, type StartedSlice as Slice } from './harness.js';


/**
 * Admins and auditors read ticket content, never silently: each read is a `ticket.content_read`
 * event in the audit log, published before the answer; without it there is no answer. Real
 * Keycloak logins, real JetStream and the real audit consumer.
 */
describe("admins' and auditors' reads of ticket content", () => {
  let slice: Slice;
  let nurse: string;
  let agent: string;
  let admin: string;
  let auditor: string;
  let ticket: { id: string; number: string };
  const TITLE = 'Label printer in room 7 prints the wrong patient';

  const contentReads = async () =>
    slice.auditSql<{ actor_id: string; actor_role: string; content: string }[]>`
      select actor_id, actor_role, content from audit_log where event_type = 'ticket.content_read' and ticket_id = ${ticket.id} order by seq`;

  beforeAll(async () => {
    slice = await startSlice('auditedread');
    [nurse, agent, admin, auditor] = await Promise.all(['nora.nurse', 'alex.agent', 'ada.admin', 'audrey.auditor'].map(demoToken)) as [string, string, string, string];
    const created = await api(slice.baseUrl, nurse)('POST', '/api/v1/tickets', { title: TITLE, description: 'Mrs Example, DOB on the label', category: 'printer_scanner', siteId: 'north', impact: 'one_user', urgency: 'medium' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ticket = created.body;
    expect((await api(slice.baseUrl, agent)('POST', `/api/v1/tickets/${ticket.id}/comments`, { body: 'Driver rollback planned', visibility: 'internal' })).status).toBe(200);
  });
  afterAll(async () => {
    await slice?.stop();
  });

  it("records an admin's read as exactly one audit row naming who, which ticket and what, none of its content", async () => {
    const read = await api(slice.baseUrl, admin)('GET', `/api/v1/tickets/${ticket.id}`);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(read.body.title).toBe(TITLE);
    const rows = await eventually('the content_read audit row', async () => ((await contentReads()).length > 0 ? contentReads() : undefined));
    // Time for a duplicate to show up, had there been one.
    await new Promise((r) => setTimeout(r, 1_500));
    const after = await contentReads();
    expect(after, 'one read, one row').toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: subjectOf(admin), actor_role: 'admin' });
    const event = JSON.parse(after[0]!.content) as { data: unknown; actor: unknown };
    expect(event.data).toEqual({ number: ticket.number, what: 'ticket' });
    expect(after[0]!.content).not.toContain('Label printer');
    expect(after[0]!.content).not.toContain('DOB');
  });

  it("records an auditor's read of the comments, which never include internal notes", async () => {
    const comments = await api(slice.baseUrl, auditor)('GET', `/api/v1/tickets/${ticket.id}/comments`);
    expect(comments.status).toBe(200);
    expect(JSON.stringify(comments.body)).not.toContain('Driver rollback');
    const rows = await eventually('the second content_read row', async () => {
      const r = await contentReads();
      return r.length >= 2 ? r : undefined;
    });
    expect(rows[1]).toMatchObject({ actor_id: subjectOf(auditor), actor_role: 'auditor' });
    expect((JSON.parse(rows[1]!.content) as { data: unknown }).data).toEqual({ number: ticket.number, what: 'comments' });
  });

  it('lets neither of them change a ticket, list tickets, or watch one; the ticket\'s own people are recorded too (docs/decisions/0022)', async () => {
    for (const token of [admin, auditor]) {
      const call = api(slice.baseUrl, token);
      expect([403, 404]).toContain((await call('POST', `/api/v1/tickets/${ticket.id}/acknowledge`, {})).status);
      expect([403, 404]).toContain((await call('POST', `/api/v1/tickets/${ticket.id}/comments`, { body: 'hello', visibility: 'public' })).status);
      expect([403, 404]).toContain((await call('PUT', `/api/v1/tickets/${ticket.id}/watchers/${subjectOf(token)}`)).status);
      const list = await call('GET', '/api/v1/tickets');
      expect(list.status).toBe(403);
      expect(list.body.error.message).toMatch(/one ticket at a time/);
    }
    expect((await api(slice.baseUrl, nurse)('GET', `/api/v1/tickets/${ticket.id}`)).status).toBe(200);
    expect((await api(slice.baseUrl, agent)('GET', `/api/v1/tickets/${ticket.id}/comments`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_500));
    // Refusals leave no row; the nurse's and the agent's reads leave one each.
    const rows = await eventually('the reads of the ticket\'s own people', async () => {
      const r = await contentReads();
      return r.length >= 4 ? r : undefined;
    });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await contentReads()).toHaveLength(4);
    expect(rows.slice(2).map((r) => r.actor_role)).toEqual(['clinic_staff', 'it_agent']);
  });

  it('refuses the read with 503 and shows nothing when the read cannot be recorded', async () => {
    const env = testEnv();
    const broken = { publish: () => Promise.reject(new Error('nats: no responders')) } as unknown as JetStreamClient;
    const app = createTicketApp({
      sql: slice.ticketSql,
      temporal: slice.temporal,
      js: broken,
      taskQueue: slice.taskQueue,
      verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-ticket' }),
      logger: createLogger('auditedread', 'silent'),
      categories: [...DEFAULT_CATEGORIES],
    });
    const get = (token: string, path: string) => app.request(path, { headers: { authorization: `Bearer ${token}` } });
    for (const path of [`/api/v1/tickets/${ticket.id}`, `/api/v1/tickets/${ticket.id}/timeline`, `/api/v1/tickets/${ticket.id}/escalation`]) {
      const res = await get(admin, path);
      const text = await res.text();
      expect(res.status, `${path}: ${text}`).toBe(503);
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'UNAVAILABLE', message: expect.stringContaining('audit trail') } });
      expect(text).not.toContain('Label printer');
    }
    expect((await get(nurse, `/api/v1/tickets/${ticket.id}`)).status, "the ticket's own people are refused too").toBe(503);
  });
});
