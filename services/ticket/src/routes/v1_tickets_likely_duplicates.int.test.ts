/**
 * GET /api/v1/tickets/likely-duplicates on the real PostgreSQL, with real Keycloak logins: what a
 * reporter sees (numbers and a status phrase, never another person's words) and what IT sees, the
 * policy's window, and the refusals of bad input and of callers who may not ask.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@tierline/contracts';
import { DEFAULT_POLICY } from '@tierline/domain';
import type { Sql } from '@tierline/platform';
import { demoTokens, type HttpCall } from '@tierline/test-fixtures';
import { ticketAppTest } from '../test/fixtures.js';

const test = ticketAppTest({ label: 'likelydup', categories: ['ehr', 'network'], events: ['tierline.events.ticket.>'] });
let sql: Sql;
let call: HttpCall;
let tokens: Record<'nurse' | 'southNurse' | 'agent' | 'lead' | 'vendor' | 'auditor', string>;
let received: EventEnvelope[];

const SECRET = 'Dr Patel cannot open the chart of patient 4471';
let n = 0;
async function ticket(t: { site?: string; category?: string; priority?: string; minutesAgo: number; status?: string; major?: boolean; parentId?: string }) {
  const id = randomUUID();
  n += 1;
  const at = new Date(Date.now() - t.minutesAgo * 60_000);
  await sql`
    insert into tickets (id, number, title, description, category, site_id, requester_id, impact, urgency, patient_care_affected,
      priority, status, tier, policy_version, workflow_id, created_at, updated_at, major_incident, incident_parent_id)
    values (${id}, ${`IT-D${n}`}, ${`EHR down ${n}: ${SECRET}`}, ${SECRET}, ${t.category ?? 'ehr'}, ${t.site ?? 'north'}, 'someone-else', 'whole_site', 'high', true,
      ${t.priority ?? 'P1'}, ${t.status ?? 'new'}, 1, 1, ${`ticket-${id}`}, ${at}, ${at}, ${t.major ?? false}, ${t.parentId ?? null})`;
  return { id, number: `IT-D${n}` };
}

const ask = (who: keyof typeof tokens, query: string) => call(tokens[who], 'GET', `/api/v1/tickets/likely-duplicates?${query}`);

let major: { id: string; number: string };
let recent: { id: string; number: string };
let later: { id: string; number: string };

test.beforeAll(async ({ database, app, events }) => {
  sql = database.sql;
  call = app.call;
  received = events.received;
  tokens = await demoTokens({ nurse: 'nora.nurse', southNurse: 'sam.staff', agent: 'alex.agent', lead: 'lee.lead', vendor: 'val.vendor', auditor: 'audrey.auditor' });
  // The clinic's newest version counts P1/P2 of the last hour.
  await sql`insert into policy_versions (version, document, published_by)
    values ((select coalesce(max(version), 0) + 1 from policy_versions), ${sql.json({ ...DEFAULT_POLICY, duplicates: { windowMinutes: 60, autoLink: false } })}, 'test')`;
  major = await ticket({ minutesAgo: 300, priority: 'P2', status: 'in_progress', major: true });
  recent = await ticket({ minutesAgo: 20, status: 'waiting_on_vendor' });
  later = await ticket({ minutesAgo: 5, priority: 'P2' });
  await ticket({ minutesAgo: 90 }); // outside the window of 60
  await ticket({ minutesAgo: 3, priority: 'P3' }); // not urgent
  await ticket({ minutesAgo: 3, status: 'resolved' }); // not open
  await ticket({ minutesAgo: 3, category: 'network' }); // another category
  await ticket({ minutesAgo: 3, site: 'south' }); // another site
  await ticket({ minutesAgo: 3, parentId: major.id }); // already the incident's child
});

describe('GET /api/v1/tickets/likely-duplicates (happy)', () => {
  it('tells a reporter of the site the number, the kind and a status phrase of each match, nothing of its content', async () => {
    const r = await ask('nurse', 'siteId=north&category=ehr');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({
      windowMinutes: 60,
      autoLink: false,
      items: [
        { number: major.number, kind: 'major_incident', status: 'IT is working on it' },
        { number: later.number, kind: 'recent_urgent', status: 'reported, IT has been alerted' },
        { number: recent.number, kind: 'recent_urgent', status: 'IT is working on it with the vendor' },
      ],
    });
    expect(JSON.stringify(r.body), 'another person’s words never reach a reporter').not.toContain('Patel');
  });

  it('gives IT the ids, titles and priorities too, each a recorded read of the ticket', async () => {
    const r = await ask('agent', 'siteId=north&category=ehr');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.items.map((i: { ticketId: string }) => i.ticketId)).toEqual([major.id, later.id, recent.id]);
    expect(r.body.items[0]).toMatchObject({ number: major.number, kind: 'major_incident', priority: 'P2', title: expect.stringContaining(SECRET) });
    await expect.poll(() => received.filter((e) => e.type === 'ticket.content_read' && e.ticketId === major.id).length, { timeout: 5000 }).toBeGreaterThan(0);
  });

  it('for a ticket IT looks at: leaves it out, counts only earlier reports, and names nothing for a major incident or its child', async () => {
    const r = await ask('lead', `ticketId=${later.id}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.items.map((i: { number: string }) => i.number)).toEqual([major.number, recent.number]);
    const own = await ask('lead', `ticketId=${recent.id}`);
    expect(own.body.items.map((i: { number: string }) => i.number), 'the later report opened after it does not count').toEqual([major.number]);
    const ofMajor = await ask('lead', `ticketId=${major.id}`);
    expect(ofMajor.body.items).toEqual([]);
  });

  it('answers an empty list where nothing matches', async () => {
    const r = await ask('southNurse', 'siteId=south&category=network');
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([]);
  });
});

describe('GET /api/v1/tickets/likely-duplicates (error)', () => {
  it.each([
    ['siteId=north', 'category'],
    ['category=ehr', 'siteId'],
    ['siteId=north&category=plumbing', 'category'],
    ['ticketId=not-a-uuid', 'ticketId'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const r = await ask('agent', query);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(JSON.stringify(r.body.error)).toContain(field);
  });

  it('answers 404 for a ticket that does not exist', async () => {
    const r = await ask('agent', `ticketId=${randomUUID()}`);
    expect(r.status, JSON.stringify(r.body)).toBe(404);
  });
});

describe('GET /api/v1/tickets/likely-duplicates (security)', () => {
  it('refuses a reporter another site’s duplicates, and an existing ticket’s', async () => {
    expect((await ask('southNurse', 'siteId=north&category=ehr')).status).toBe(403);
    expect((await ask('nurse', `ticketId=${later.id}`)).status).toBe(403);
  });

  it('refuses vendors and auditors, and callers without a token', async () => {
    expect((await ask('vendor', 'siteId=north&category=ehr')).status).toBe(403);
    expect((await ask('auditor', 'siteId=north&category=ehr')).status).toBe(403);
    expect((await call('', 'GET', '/api/v1/tickets/likely-duplicates?siteId=north&category=ehr')).status).toBe(401);
  });
});
