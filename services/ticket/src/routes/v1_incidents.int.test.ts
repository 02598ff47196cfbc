/**
 * Major incidents in the ticket service against the real PostgreSQL, Keycloak, NATS JetStream and
 * Temporal (a worker of the ticket workflow on this file's task queue): declaring (from a ticket
 * and from nothing), linking and unlinking children with the refusals that name the problem,
 * status posts and the banner each person sees, and who may do what.
 */
// First: keeps the Temporal worker's own logging to warnings.
import '@tierline/testing/quiet-temporal';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';
import { DEFAULT_POLICY } from '@tierline/domain';
import { demoTokens, until, type HttpCall } from '@tierline/test-fixtures';
import { ensureInitialPolicy } from '@tierline/ticket-store';
import { insertTicketRow, startTicketWorker, ticketAppTest } from '../test/fixtures.js';

const test = ticketAppTest({ label: 'incidents', categories: ['ehr', 'printer_scanner'], events: ['tierline.events.ticket.>'] })
  .extend('worker', { scope: 'file' }, async ({ database, nats, app }, hooks) => startTicketWorker(app.taskQueue, { sql: database.sql, js: nats.js }, hooks));

let sql: Sql;
let appCall: HttpCall;
let received: EventEnvelope[] = [];
let tokens: Record<'alex' | 'lee' | 'nora' | 'sam' | 'val' | 'ada', string>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted on below
const call = (who: keyof typeof tokens, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => appCall(tokens[who], method, path, body);

const nurseTicket = async (title: string, siteId = 'north') => {
  const { status, body } = await call(siteId === 'north' ? 'nora' : 'sam', 'POST', '/api/v1/tickets', { title, category: 'ehr', siteId, impact: 'department', urgency: 'high', patientCareAffected: true });
  expect(status, JSON.stringify(body)).toBe(201);
  return body as { id: string; number: string };
};

/** A read-model row marked as the workflow marks a major incident or a child (no workflow behind it). */
const row = async (over: { majorIncident?: boolean; parentId?: string; status?: string; siteId?: string } = {}) => {
  const id = await insertTicketRow(sql, { category: 'ehr', siteId: over.siteId ?? 'north' });
  await sql`update tickets set major_incident = ${over.majorIncident ?? false}, incident_parent_id = ${over.parentId ?? null}, status = ${over.status ?? 'new'} where id = ${id}`;
  return id;
};

test.beforeAll(async ({ database, app, events, worker: _worker }) => {
  sql = database.sql;
  appCall = app.call;
  received = events.received;
  await ensureInitialPolicy(sql, DEFAULT_POLICY, 'system:test');
  tokens = await demoTokens({ alex: 'alex.agent', lee: 'lee.lead', nora: 'nora.nurse', sam: 'sam.staff', val: 'val.vendor', ada: 'ada.admin' });
}, 120_000);

describe('refusals that name the problem', () => {
  it('links only to an open major incident, and only an open ticket that is elsewhere nowhere', async () => {
    const notMajor = await row();
    const major = await row({ majorIncident: true });
    const other = await row({ majorIncident: true });
    const childElsewhere = await row({ parentId: other });
    const closed = await row({ status: 'closed' });
    const free = await row();
    const [{ number: otherNumber }] = (await sql<{ number: string }[]>`select number from tickets where id = ${other}`) as unknown as [{ number: string }];

    const r1 = await call('alex', 'POST', `/api/v1/tickets/${notMajor}/children`, { ticketId: free });
    expect(r1.status).toBe(409);
    expect(r1.body.error.message).toMatch(/is not a major incident; declare it one first/);

    const r2 = await call('alex', 'POST', `/api/v1/tickets/${major}/children`, { ticketId: major });
    expect(r2.status).toBe(400);
    expect(r2.body.error.details).toEqual([{ path: 'ticketId', message: expect.stringMatching(/cannot be linked to itself/) }]);

    const missing = '00000000-0000-4000-8000-000000000001';
    const r3 = await call('alex', 'POST', `/api/v1/tickets/${major}/children`, { ticketId: missing });
    expect(r3.status).toBe(400);
    expect(r3.body.error.details[0].message).toBe(`no ticket ${missing}`);

    const r4 = await call('alex', 'POST', `/api/v1/tickets/${major}/children`, { ticketId: closed });
    expect(r4.status).toBe(409);
    expect(r4.body.error.message).toMatch(/is closed; only an open ticket can be linked/);

    const r5 = await call('alex', 'POST', `/api/v1/tickets/${major}/children`, { ticketId: childElsewhere });
    expect(r5.status).toBe(409);
    expect(r5.body.error.message).toContain(`already linked to the major incident ${otherNumber}`);

    const r6 = await call('alex', 'POST', `/api/v1/tickets/${major}/children`, { ticketId: other });
    expect(r6.status).toBe(409);
    expect(r6.body.error.message).toMatch(/is a major incident itself/);

    const r7 = await call('alex', 'POST', `/api/v1/tickets/${major}/children`, { ticketId: 'IT-1' });
    expect(r7.status).toBe(400);

    const r8 = await call('alex', 'DELETE', `/api/v1/tickets/${major}/children/${childElsewhere}`);
    expect(r8.status).toBe(409);
    expect(r8.body.error.message).toContain(`is linked to ${otherNumber}`);

    const r9 = await call('alex', 'POST', `/api/v1/tickets/${childElsewhere}/declare-incident`);
    expect(r9.status).toBe(409);
    expect(r9.body.error.message).toContain(`linked to the major incident ${otherNumber}; unlink it first`);
  });

  it('keeps incidents to IT, and a next update in the past is refused', async () => {
    const major = await row({ majorIncident: true });
    const free = await row();
    for (const who of ['nora', 'val', 'ada'] as const) {
      expect((await call(who, 'POST', `/api/v1/tickets/${major}/children`, { ticketId: free })).status, who).toBe(403);
      expect((await call(who, 'POST', `/api/v1/tickets/${free}/declare-incident`)).status, who).toBe(403);
      expect((await call(who, 'POST', `/api/v1/tickets/${major}/incident-status`, { message: 'Working on it', nextUpdateAt: null })).status, who).toBe(403);
      expect((await call(who, 'POST', '/api/v1/incidents', { title: 'EHR down', category: 'ehr', siteId: 'north' })).status, who).toBe(403);
    }
    const past = await call('alex', 'POST', `/api/v1/tickets/${major}/incident-status`, { message: 'Working on it', nextUpdateAt: '2020-01-01T10:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.details).toEqual([{ path: 'nextUpdateAt', message: 'the next update must be due in the future' }]);
    const bad = await call('alex', 'POST', '/api/v1/incidents', { title: 'EHR down', category: 'toaster', siteId: 'north' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]).toMatchObject({ path: 'category' });
  });

  it('shows banners to IT and to staff of the sites an incident touches, and to nobody else', async () => {
    const major = await row({ majorIncident: true, siteId: 'east' });
    await row({ parentId: major, siteId: 'south' });
    const over = await row({ majorIncident: true, siteId: 'south', status: 'resolved' });
    await sql`insert into incident_status_posts (id, ticket_id, message, posted_by, posted_by_role, posted_at, next_update_at)
      values (gen_random_uuid(), ${major}, 'Old news', 'x', 'it_agent', now() - interval '1 hour', null),
             (gen_random_uuid(), ${major}, 'Vendor engaged', 'x', 'it_agent', now(), now() + interval '1 hour')`;
    const sam = await call('sam', 'GET', '/api/v1/status-banners');
    expect(sam.status).toBe(200);
    const mine = sam.body.incidents.filter((b: { ticketId: string }) => b.ticketId === major);
    expect(mine).toEqual([{ ticketId: major, number: expect.any(String), category: 'ehr', siteIds: ['east', 'south'], childCount: 1, status: expect.objectContaining({ message: 'Vendor engaged' }) }]);
    expect(sam.body.incidents.map((b: { ticketId: string }) => b.ticketId), 'a resolved incident has no banner').not.toContain(over);
    expect(sam.body.maintenance).toEqual([]);
    const nora = await call('nora', 'GET', '/api/v1/status-banners');
    expect(nora.body.incidents.map((b: { ticketId: string }) => b.ticketId), 'north is not touched').not.toContain(major);
    const alex = await call('alex', 'GET', '/api/v1/status-banners');
    expect(alex.body.incidents.map((b: { ticketId: string }) => b.ticketId)).toContain(major);
    expect((await call('val', 'GET', '/api/v1/status-banners')).status).toBe(403);
  });
});

describe('an outage, end to end through the workflows', () => {
  it('declares one ticket, links the others, posts a status, unlinks one', async () => {
    const first = await nurseTicket('EHR will not load');
    const second = await nurseTicket('EHR login spins');
    const third = await nurseTicket('Cannot open charts', 'south');

    const declared = await call('alex', 'POST', `/api/v1/tickets/${first.id}/declare-incident`);
    expect(declared.status, JSON.stringify(declared.body)).toBe(200);
    expect(declared.body.incident).toMatchObject({ majorIncident: true, children: [] });
    const again = await call('alex', 'POST', `/api/v1/tickets/${first.id}/declare-incident`);
    expect(again.status, 'declaring twice changes nothing').toBe(200);

    // The read model follows the workflow; linking reads it.
    await until('the read model shows the incident', async () => (await sql`select 1 from tickets where id = ${first.id} and major_incident`).length === 1);
    for (const child of [second, third]) {
      const linked = await call('alex', 'POST', `/api/v1/tickets/${first.id}/children`, { ticketId: child.id });
      expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    }
    const twice = await call('alex', 'POST', `/api/v1/tickets/${first.id}/children`, { ticketId: second.id });
    expect(twice.status, 'linking is idempotent per child').toBe(200);
    expect(twice.body.children.map((c: { number: string }) => c.number)).toEqual([second.number, third.number]);

    const status = { message: 'EHR down at North; vendor engaged', nextUpdateAt: new Date(Date.now() + 3_600_000).toISOString() };
    const postOnce = () => appCall(tokens.lee, 'POST', `/api/v1/tickets/${first.id}/incident-status`, status, { 'idempotency-key': 'status-retry-0001' });
    const posted = await postOnce();
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    const retried = await postOnce();
    expect(retried.body.id, 'a retry with the same key is the same post').toBe(posted.body.id);
    expect(await sql`select 1 from incident_status_posts where ticket_id = ${first.id}`).toHaveLength(1);
    await until('the workflow recorded the post', () => received.some((e) => e.type === 'ticket.incident_status_posted' && e.ticketId === first.id && (e.data as { statusId: string }).statusId === posted.body.id));

    // The south nurse sees it: her ticket is a child.
    await until('the read model shows both children', async () => (await sql`select 1 from tickets where incident_parent_id = ${first.id}`).length === 2);
    const banners = await call('sam', 'GET', '/api/v1/status-banners');
    expect(banners.body.incidents.find((b: { ticketId: string }) => b.ticketId === first.id)).toMatchObject({ number: first.number, childCount: 2, status: { message: 'EHR down at North; vendor engaged' } });

    // The nurse reads the incident of her ticket; the parent's incident page lists the children with numbers.
    const page = await call('alex', 'GET', `/api/v1/tickets/${first.id}/incident`);
    expect(page.body).toMatchObject({ majorIncident: true, parent: null, statuses: [{ id: posted.body.id }] });
    const childPage = await call('nora', 'GET', `/api/v1/tickets/${second.id}/incident`);
    expect(childPage.body).toMatchObject({ majorIncident: false, parent: { id: first.id, number: first.number } });

    const unlinked = await call('alex', 'DELETE', `/api/v1/tickets/${first.id}/children/${third.id}`);
    expect(unlinked.status, JSON.stringify(unlinked.body)).toBe(200);
    expect(unlinked.body.children.map((c: { number: string }) => c.number)).toEqual([second.number]);
    await until('the child was told', () => received.some((e) => e.type === 'ticket.incident_unlinked' && e.ticketId === third.id));
  });

  it('declares from nothing: a P1 ticket that is a major incident', async () => {
    const made = await call('alex', 'POST', '/api/v1/incidents', { title: 'EHR down at North', category: 'ehr', siteId: 'north' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.ticket).toMatchObject({ priority: 'P1', siteId: 'north', category: 'ehr' });
    expect(made.body.incident).toMatchObject({ majorIncident: true });
    await until('declared by the workflow', () => received.some((e) => e.type === 'ticket.incident_declared' && e.ticketId === made.body.ticket.id));
  });
});
