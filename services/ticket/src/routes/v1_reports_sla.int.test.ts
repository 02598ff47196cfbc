/**
 * The SLA report on the real PostgreSQL, over tickets and timeline rows written as the workflow's
 * activities write them, with real Keycloak logins for who may read it.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Sql } from '@tierline/platform';
import { demoTokens, type HttpCall } from '@tierline/test-fixtures';
import { ticketAppTest } from '../test/fixtures.js';

const test = ticketAppTest({ label: 'reports', categories: ['network'] });
let sql: Sql;
let appCall: HttpCall;
let tokens: Record<string, string>;

async function report(who: string, query: string) {
  const { status, body } = await appCall(tokens[who]!, 'GET', `/api/v1/reports/sla?${query}`);
  return { status, body };
}

let n = 0;
async function ticket(t: { priority: string; site: string; vendor?: string; opened: string; ackAfterMin?: number; resolvedAfterMin?: number; breaches?: string[]; escalatedTo?: number[] }) {
  const id = randomUUID();
  const opened = new Date(t.opened);
  const plus = (m?: number) => (m === undefined ? null : new Date(opened.getTime() + m * 60_000));
  n += 1;
  await sql`
    insert into tickets (id, number, title, description, category, site_id, requester_id, impact, urgency, patient_care_affected,
      priority, status, tier, policy_version, workflow_id, created_at, updated_at, vendor_org_id, acknowledged_at, resolved_at)
    values (${id}, ${`IT-R${n}`}, 'Report fixture', 'not shown in reports', 'network', ${t.site}, 'u-requester', 'one_user', 'low', false,
      ${t.priority}, 'new', 1, 1, ${`ticket-${id}`}, ${opened}, ${opened}, ${t.vendor ?? null}, ${plus(t.ackAfterMin)}, ${plus(t.resolvedAfterMin)})`;
  for (const clock of t.breaches ?? []) {
    await sql`insert into ticket_timeline (event_id, ticket_id, type, occurred_at, actor_kind, actor_id, data)
      values (${randomUUID()}, ${id}, 'ticket.sla_breached', ${opened}, 'system', 'system', ${sql.json({ clock, targetMinutes: 15, tier: 1 })})`;
  }
  for (const tier of t.escalatedTo ?? []) {
    await sql`insert into ticket_timeline (event_id, ticket_id, type, occurred_at, actor_kind, actor_id, data)
      values (${randomUUID()}, ${id}, 'ticket.escalated', ${opened}, 'system', 'system', ${sql.json({ level: 0, repeat: 0, fromTier: tier - 1, tier })})`;
  }
}

test.beforeAll(async ({ database, app }) => {
  sql = database.sql;
  appCall = app.call;
  tokens = await demoTokens({ 'lee.lead': 'lee.lead', 'audrey.auditor': 'audrey.auditor', 'alex.agent': 'alex.agent', 'nora.nurse': 'nora.nurse', 'ada.admin': 'ada.admin' });

  // January, New York: two P1s at north (one breached its response target and went to the vendor), a P3 at south.
  await ticket({ priority: 'P1', site: 'north', opened: '2031-01-10T14:00:00Z', ackAfterMin: 10, resolvedAfterMin: 120, escalatedTo: [2] });
  await ticket({ priority: 'P1', site: 'north', vendor: 'acme-it', opened: '2031-01-20T14:00:00Z', ackAfterMin: 30, resolvedAfterMin: 300, breaches: ['response', 'vendor_resolution'], escalatedTo: [2, 3] });
  await ticket({ priority: 'P3', site: 'south', opened: '2031-01-31T23:30:00Z' });
  // 04:30 UTC on 1 February is still 31 January in New York.
  await ticket({ priority: 'P3', site: 'south', opened: '2031-02-01T04:30:00Z', ackAfterMin: 60 });
  // Outside the period.
  await ticket({ priority: 'P1', site: 'north', opened: '2031-03-05T10:00:00Z', ackAfterMin: 1 });
});

const PERIOD = `from=${encodeURIComponent('2031-01-01T00:00:00Z')}&to=${encodeURIComponent('2031-03-01T00:00:00Z')}`;

describe('GET /api/v1/reports/sla', () => {
  it('gives MTTA, MTTR, breaches, compliance and escalations per tier by priority, with the total', async () => {
    const { status, body } = await report('lee.lead', PERIOD);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.rows.map((r: { key: string }) => r.key)).toEqual(['P1', 'P3']);
    expect(body.rows[0]).toEqual({
      key: 'P1',
      tickets: 2,
      acknowledged: 2,
      mttaMinutes: 20,
      resolved: 2,
      mttrMinutes: 210,
      breachedResponse: 1,
      breachedResolution: 0,
      breachedVendor: 1,
      slaCompliancePercent: 50,
      escalationsByTier: { tier2: 2, tier3: 1 },
    });
    expect(body.rows[1]).toMatchObject({ key: 'P3', tickets: 2, acknowledged: 1, mttaMinutes: 60, resolved: 0, mttrMinutes: null, slaCompliancePercent: 100 });
    expect(body.total).toMatchObject({ key: 'total', tickets: 4, acknowledged: 3, resolved: 2, slaCompliancePercent: 75, escalationsByTier: { tier2: 2, tier3: 1 } });
    expect(JSON.stringify(body), 'counts only, never ticket text').not.toContain('not shown in reports');
  });

  it('groups by site, vendor, and calendar month in the clinic time zone', async () => {
    const bySite = (await report('audrey.auditor', `${PERIOD}&groupBy=site`)).body;
    expect(bySite.rows.map((r: { key: string; tickets: number }) => [r.key, r.tickets])).toEqual([['north', 2], ['south', 2]]);
    const byVendor = (await report('lee.lead', `${PERIOD}&groupBy=vendor`)).body;
    expect(byVendor.rows.map((r: { key: string; tickets: number; breachedVendor: number }) => [r.key, r.tickets, r.breachedVendor])).toEqual([['acme-it', 1, 1], ['none', 3, 0]]);
    const byMonthNy = (await report('lee.lead', `${PERIOD}&groupBy=month&timeZone=America%2FNew_York`)).body;
    expect(byMonthNy.rows.map((r: { key: string; tickets: number }) => [r.key, r.tickets])).toEqual([['2031-01', 4]]);
    const byMonthUtc = (await report('lee.lead', `${PERIOD}&groupBy=month`)).body;
    expect(byMonthUtc.rows.map((r: { key: string; tickets: number }) => [r.key, r.tickets])).toEqual([['2031-01', 3], ['2031-02', 1]]);
  });

  it('answers an empty period with no rows and a zero total', async () => {
    const { status, body } = await report('lee.lead', `from=${encodeURIComponent('2030-01-01T00:00:00Z')}&to=${encodeURIComponent('2030-02-01T00:00:00Z')}`);
    expect(status).toBe(200);
    expect(body.rows).toEqual([]);
    expect(body.total).toMatchObject({ tickets: 0, mttaMinutes: null, slaCompliancePercent: null });
  });

  it('names what is wrong with the query', async () => {
    const backwards = await report('lee.lead', `from=${encodeURIComponent('2031-03-01T00:00:00Z')}&to=${encodeURIComponent('2031-01-01T00:00:00Z')}&groupBy=colour&timeZone=Mars%2FOlympus`);
    expect(backwards.status).toBe(400);
    const paths = backwards.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['groupBy', 'timeZone']));
    const missing = await report('lee.lead', 'groupBy=site');
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['from', 'to']);
  });

  it('is for IT leads and auditors only', async () => {
    for (const who of ['alex.agent', 'nora.nurse', 'ada.admin']) {
      const { status, body } = await report(who, PERIOD);
      expect(status, who).toBe(403);
      expect(body.error.message).toBe('reports are for IT leads and auditors');
    }
  });
});

describe('GET /api/v1/reports/sla.csv', () => {
  it('exports the same rows as the report, with the total last, as an attachment', async () => {
    const res = await appCall(tokens['lee.lead']!, 'GET', `/api/v1/reports/sla.csv?${PERIOD}`);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="tierline-sla-by-priority-2031-01-01-to-2031-03-01.csv"');
    expect(res.text.split('\r\n')).toEqual([
      'priority,tickets,acknowledged,mtta_minutes,resolved,mttr_minutes,breached_response,breached_resolution,breached_vendor,sla_compliance_percent,escalations_tier2,escalations_tier3',
      'P1,2,2,20,2,210,1,0,1,50,2,1',
      'P3,2,1,60,0,,0,0,0,100,0,0',
      'total,4,3,33.3,2,210,1,0,1,75,2,1',
      '',
    ]);
  });

  it('quotes what must be quoted and keeps a spreadsheet from reading a site as a formula', async () => {
    await ticket({ priority: 'P2', site: 'east, "annex"', opened: '2032-05-03T10:00:00Z' });
    await ticket({ priority: 'P2', site: '=HYPERLINK("http://x")', opened: '2032-05-03T11:00:00Z' });
    const period = `from=${encodeURIComponent('2032-05-01T00:00:00Z')}&to=${encodeURIComponent('2032-06-01T00:00:00Z')}&groupBy=site`;
    const res = await appCall(tokens['audrey.auditor']!, 'GET', `/api/v1/reports/sla.csv?${period}`);
    expect(res.status, res.text).toBe(200);
    const lines = res.text.split('\r\n');
    expect(lines[0]!.startsWith('site,tickets,')).toBe(true);
    expect(lines.slice(1, 3).sort()).toEqual(['"\'=HYPERLINK(""http://x"")",1,0,,0,,0,0,0,100,0,0', '"east, ""annex""",1,0,,0,,0,0,0,100,0,0'].sort());
  });

  it('takes the report’s query and access: 400 naming the field, 403 for others', async () => {
    const bad = await appCall(tokens['lee.lead']!, 'GET', `/api/v1/reports/sla.csv?${PERIOD}&groupBy=colour`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['groupBy']);
    const agent = await appCall(tokens['alex.agent']!, 'GET', `/api/v1/reports/sla.csv?${PERIOD}`);
    expect(agent.status).toBe(403);
  });
});

describe('GET /api/v1/reports/sla/weekly', () => {
  it('gives MTTA, MTTR and breaches per ISO week in the clinic time zone, every week of the period, with the total', async () => {
    // 2031 starts on a Wednesday: week 1 runs from Monday 30 December 2030 to Sunday 5 January.
    const q = `from=${encodeURIComponent('2031-01-05T05:00:00Z')}&to=${encodeURIComponent('2031-02-09T05:00:00Z')}&timeZone=America%2FNew_York`;
    const { status, body } = await appCall(tokens['lee.lead']!, 'GET', `/api/v1/reports/sla/weekly?${q}`);
    expect(status, JSON.stringify(body)).toBe(200);
    // Sunday 5 January 2031 (New York) is in week 1; Saturday 8 February in week 6.
    expect(body.weeks.map((w: { week: string }) => w.week)).toEqual(['2031-W01', '2031-W02', '2031-W03', '2031-W04', '2031-W05', '2031-W06']);
    const byWeek = Object.fromEntries(body.weeks.map((w: { week: string }) => [w.week, w]));
    expect(byWeek['2031-W02']).toEqual({ week: '2031-W02', tickets: 1, mttaMinutes: 10, mttrMinutes: 120, breached: 0, breachedResponse: 0, breachedResolution: 0, breachedVendor: 0 });
    // Monday 20 January is the first day of week 4; week 3 had no tickets.
    expect(byWeek['2031-W04']).toEqual({ week: '2031-W04', tickets: 1, mttaMinutes: 30, mttrMinutes: 300, breached: 1, breachedResponse: 1, breachedResolution: 0, breachedVendor: 1 });
    // Both P3s fall on Friday 31 January in New York (one is 1 February in UTC): the same week.
    expect(byWeek['2031-W05']).toMatchObject({ tickets: 2, mttaMinutes: 60, mttrMinutes: null, breached: 0 });
    expect(byWeek['2031-W03']).toEqual({ week: '2031-W03', tickets: 0, mttaMinutes: null, mttrMinutes: null, breached: 0, breachedResponse: 0, breachedResolution: 0, breachedVendor: 0 });
    expect(body.total).toMatchObject({ key: 'total', tickets: 4, acknowledged: 3 });
  });

  it('names what is wrong with the query and is for IT leads and auditors only', async () => {
    const bad = await appCall(tokens['lee.lead']!, 'GET', `/api/v1/reports/sla/weekly?from=${encodeURIComponent('2031-03-01T00:00:00Z')}&to=${encodeURIComponent('2031-01-01T00:00:00Z')}&timeZone=Mars%2FOlympus`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain('timeZone');
    const nurse = await appCall(tokens['nora.nurse']!, 'GET', `/api/v1/reports/sla/weekly?${PERIOD}`);
    expect(nurse.status).toBe(403);
  });
});
