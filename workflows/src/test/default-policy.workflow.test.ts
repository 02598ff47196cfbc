import { describe, expect, it } from 'vitest';
import type { EscalationPolicy, NotifyCommand } from '@tierline/contracts';
import { acknowledgeUpdate, getStateQuery } from '@tierline/ticket-workflow';
import { DEFAULT_POLICY, validatePolicy } from '@tierline/domain';
import { MIN, input, makeTicket, nextWeekend } from './fixtures.js';
import { useTicketWorker } from './time-skipping.js';

/**
 * The clinic's shipped policy (DEFAULT_POLICY, what a new installation publishes as version 1),
 * not a test policy, on the time-skipping server: every page, repeat and warning is asserted at
 * its instant, on the notification commands the workflow hands to the notification service.
 * Instants are taken from the test server's clock, never from a fixed date.
 */
const agent = { actor: { id: 'agent-1', role: 'it_agent' } };
const version1 = { version: 1, policy: DEFAULT_POLICY };

describe.each([
  { cache: 'default', maxCachedWorkflows: undefined },
  { cache: 'none (replay every task)', maxCachedWorkflows: 0 },
])('the shipped default policy on the time-skipping test server, cache $cache', ({ maxCachedWorkflows }) => {
  const w = useTicketWorker({ label: 'default-policy', maxCachedWorkflows, historyPrefix: 'default-policy-' });
  const { rec, open, sleepUntil } = w;

  /** A notification command as [template, level, what it concerns, ms after t0]. */
  type Page = [NotifyCommand['template'], number | null, string, number];
  const pages = (ticketId: string, t0: number): Page[] =>
    rec.notifications(ticketId).map((n) => [n.template, n.level, n.deadlineKind ?? '', Date.parse(n.createdAt) - t0]);
  /**
   * Templates, levels and deadlines exactly; instants never early and at most a few seconds late
   * (activities run in real time on the time-skipping server, and its clock moves with them).
   */
  function expectPages(actual: Page[], expected: Page[]) {
    const show = (p: Page[]) => p.map(([t, l, k, ms]) => `${t}/${l}/${k}@${(ms / MIN).toFixed(2)}min`).join('\n');
    expect(actual.map(([t, l, k]) => [t, l, k]), show(actual)).toEqual(expected.map(([t, l, k]) => [t, l, k]));
    actual.forEach(([t, l, , ms], i) => {
      const late = ms - expected[i]![3];
      expect(late, `${t} level ${l}: ${ms} ms after opening, expected ${expected[i]![3]}`).toBeGreaterThanOrEqual(0);
      expect(late, `${t} level ${l}: ${ms} ms after opening, expected ${expected[i]![3]}`).toBeLessThan(3_000);
    });
  }

  it('is the policy a new installation publishes, and valid', () => {
    expect(validatePolicy(DEFAULT_POLICY)).toEqual([]);
  });

  it('P1: warns at 75 and 90 %, pages tier 2 at 15 min and repeats at 30/45/60, then vendor and IT lead at 60 and every 30 min four times', async () => {
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P1', 'network');
    const h = await open(input(t, version1));

    await sleepUntil(t0, 11 * MIN);
    expect(pages(t.id, t0), 'nothing before 75 % of the 15-minute response target').toEqual([]);
    await sleepUntil(t0, 241 * MIN);

    const s = await h.query(getStateQuery);
    expect(s.escalations.map((e) => [e.clock, e.level, e.repeat, e.tier])).toEqual([
      ['response', 0, 0, 2],
      ['response', 0, 1, 2],
      ['response', 0, 2, 2],
      ['response', 0, 3, 2],
      ['resolution', 1, 0, 3],
      ['resolution', 1, 1, 3],
      ['resolution', 1, 2, 3],
      ['resolution', 1, 3, 3],
      ['resolution', 1, 4, 3],
    ]);
    expect(s).toMatchObject({ tier: 3, vendorOrgId: 'acme-it', status: 'waiting_on_vendor' });

    const R = 'response target';
    const V = 'vendor response target';
    const Z = 'resolution target';
    expectPages(pages(t.id, t0), [
      ['sla_warning', null, R, 11.25 * MIN], // 75 % of 15
      ['sla_warning', null, R, 13.5 * MIN], // 90 % of 15
      ['escalation', 0, R, 15 * MIN],
      ['escalation_repeat', 0, R, 30 * MIN],
      ['escalation_repeat', 0, R, 45 * MIN],
      ['escalation_repeat', 0, R, 60 * MIN],
      // The page at 60 hands the ticket to Acme (its own page is the hand-off) and starts Acme's
      // 24/7 contract clock, 30 minutes to respond: the deadline the vendor's pages name.
      ['escalation', 1, V, 60 * MIN],
      ['escalation_repeat', 1, V, 90 * MIN],
      ['escalation_repeat', 1, V, 120 * MIN],
      ['escalation_repeat', 1, V, 150 * MIN],
      ['escalation_repeat', 1, V, 180 * MIN],
      ['sla_warning', null, Z, 180 * MIN], // 75 % of 240
      ['sla_warning', null, Z, 216 * MIN], // 90 % of 240
    ]);
    const byLevel = (level: number) => rec.notifications(t.id).filter((n) => n.level === level);
    for (const n of byLevel(0)) expect(n).toMatchObject({ targets: [{ kind: 'it_lead' }], channels: ['sms', 'email'] });
    for (const n of byLevel(1)) {
      expect(n).toMatchObject({ targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }, { kind: 'it_lead' }], channels: ['email', 'sms'] });
    }
    expect(new Set(rec.notifications(t.id).map((n) => n.idempotencyKey)).size).toBe(13);
  });

  it('P1 acknowledged after the first tier-2 page: no more tier-2 repeats; only the resolution-clock level still pages', async () => {
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P1', 'network');
    const h = await open(input(t, version1));
    await sleepUntil(t0, 16 * MIN);
    const acked = await h.executeUpdate(acknowledgeUpdate, { args: [agent] });
    expect(acked.status).toBe('acknowledged');
    await sleepUntil(t0, 241 * MIN);

    const R = 'response target';
    const V = 'vendor response target';
    const Z = 'resolution target';
    expectPages(pages(t.id, t0), [
      ['sla_warning', null, R, 11.25 * MIN],
      ['sla_warning', null, R, 13.5 * MIN],
      ['escalation', 0, R, 15 * MIN],
      // Acknowledged at 16: the response clock stopped, so no repeat at 30, 45 or 60. The
      // resolution clock runs on until the ticket is resolved, and its level is the policy's.
      ['escalation', 1, V, 60 * MIN],
      ['escalation_repeat', 1, V, 90 * MIN],
      ['escalation_repeat', 1, V, 120 * MIN],
      ['escalation_repeat', 1, V, 150 * MIN],
      ['escalation_repeat', 1, V, 180 * MIN],
      ['sla_warning', null, Z, 180 * MIN],
      ['sla_warning', null, Z, 216 * MIN],
    ]);
    const s = await h.query(getStateQuery);
    expect(s.escalations.filter((e) => e.clock === 'response').map((e) => e.repeat)).toEqual([0]);
  });

  it('P1 medical device: pages biomed on call at once, then IT lead and biomed at 10 min, repeated every 10 three times', async () => {
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P1', 'medical_device');
    const h = await open(input(t, version1));
    await sleepUntil(t0, 41 * MIN);

    const R = 'response target';
    expectPages(pages(t.id, t0), [
      ['escalation', 0, R, 0],
      ['sla_warning', null, R, 5 * MIN], // 50 % of 10
      ['sla_warning', null, R, 7.5 * MIN], // 75 %
      ['sla_warning', null, R, 9 * MIN], // 90 %
      ['escalation', 1, R, 10 * MIN],
      ['escalation_repeat', 1, R, 20 * MIN],
      ['escalation_repeat', 1, R, 30 * MIN],
      ['escalation_repeat', 1, R, 40 * MIN],
    ]);
    const [first] = rec.notifications(t.id);
    expect(first).toMatchObject({ targets: [{ kind: 'on_call', teamId: 'biomed' }], channels: ['sms'] });
    for (const n of rec.notifications(t.id).filter((n) => n.level === 1)) {
      expect(n).toMatchObject({ targets: [{ kind: 'it_lead' }, { kind: 'team', teamId: 'biomed' }], channels: ['sms', 'email'] });
    }
    const s = await h.query(getStateQuery);
    expect(s.tier).toBe(2);
    expect(s.teamId).toBe('biomed');
    // Biomed engineering handles medical devices: never handed to Acme.
    expect(s.vendorOrgId).toBeNull();
  });

  it('P3 counts clinic hours only: Saturday morning, closed Sunday, a holiday Monday, then Tuesday', async () => {
    // The shipped calendar's opening hours and time zone; its holiday list is dated, so the
    // Monday of the next suitable weekend is added to it (the shipped dates are kept).
    const week = nextWeekend(await w.env.currentTimeMs(), 'America/New_York');
    const clinic = DEFAULT_POLICY.calendars['clinic-hours']!;
    if (clinic.mode !== 'business_hours') throw new Error('the shipped clinic-hours calendar has business hours');
    const policy: EscalationPolicy = {
      ...DEFAULT_POLICY,
      calendars: { ...DEFAULT_POLICY.calendars, 'clinic-hours': { ...clinic, holidays: [...clinic.holidays, week.monday] } },
    };
    expect(validatePolicy(policy)).toEqual([]);

    // Saturday 12:30: 30 minutes until 13:00, Sunday closed, Monday a holiday, Tuesday from 08:00.
    const t0 = await w.env.currentTimeMs();
    await sleepUntil(week.at('sat', '12:30'), 0);
    const opened = week.at('sat', '12:30');
    expect((await w.env.currentTimeMs()) - opened).toBeLessThan(3_000);
    const t = makeTicket(opened, 'P3', 'printer');
    const h = await open(input(t, { version: 1, policy }));
    await sleepUntil(week.at('tue', '08:59'), 0);
    expect(pages(t.id, opened), 'nothing until Tuesday 09:00').toEqual([]);
    await sleepUntil(week.at('tue', '09:31'), 0);

    const R = 'response target';
    expectPages(pages(t.id, opened), [
      ['sla_warning', null, R, week.at('tue', '09:00') - opened], // 75 % of 120 clinic minutes: 30 Sat + 60 Tue
      ['escalation', 0, R, week.at('tue', '09:30') - opened], // 120: 30 Sat + 90 Tue
    ]);
    expect(rec.notifications(t.id)[1]).toMatchObject({ targets: [{ kind: 'team', teamId: 'it-tier2' }], channels: ['email', 'teams'] });
    expect((await h.query(getStateQuery)).teamId).toBe('it-tier2');
    expect(t0).toBeLessThan(opened);
  });
});
