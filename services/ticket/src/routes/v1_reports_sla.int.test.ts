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
