import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { acknowledgeUpdate, getStateQuery, maintenanceChangedSignal, reopenUpdate, resolveUpdate, type ActionBy } from '@tierline/ticket-workflow';
import type { Priority } from '@tierline/contracts';
import { MIN, input, makeTicket, nextSpringForward, nextWeekend, utcOffsetMinutes } from './fixtures.js';
import { useTicketWorker } from './time-skipping.js';

/**
 * Maintenance windows (docs/decisions/0043) on the time-skipping test server. A ticket opened in
 * a running window's scope opens normally; its clocks start when the window ends, so nothing
 * escalates, warns or pages before. Test policy (fixtures.ts): P1 on a 24x7 calendar, response
 * 15 min with warnings at 60 % and 80 % (9 and 12 min), tier 2 after 15 min; P3 on the clinic's
 * business hours (Mon–Fri 08:00–18:00 New York), tier 2 after 120 business minutes.
 */
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const agent: ActionBy = { actor: { id: 'agent-1', role: 'it_agent' } };

describe.each([
  { cache: 'default', maxCachedWorkflows: undefined },
  { cache: 'none (replay every task)', maxCachedWorkflows: 0 },
])('maintenance hold on the time-skipping test server, cache $cache', ({ maxCachedWorkflows }) => {
  const w = useTicketWorker({ label: 'maintenance', maxCachedWorkflows, historyPrefix: 'maintenance-' });
  const { rec } = w;

  /** `at` is `expected` (epoch ms), never early and at most a few seconds late (activities run in real time). */
  const expectAt = (at: string | undefined, expected: number, what: string) => {
    expect(at, what).toBeTruthy();
    const late = Date.parse(at!) - expected;
    expect(late, `${what}: ${at} vs ${new Date(expected).toISOString()}`).toBeGreaterThanOrEqual(0);
    expect(late, `${what}: ${at} vs ${new Date(expected).toISOString()}`).toBeLessThan(3_000);
  };
  const escalations = (ticketId: string) => rec.events(ticketId).filter((e) => e.type === 'ticket.escalated');
  const pages = (ticketId: string) => rec.notifications(ticketId);

  /** Moves the test server's clock to `at` (epoch ms). */
  async function clockTo(at: number) {
    const now = await w.env.currentTimeMs();
    expect(at, 'the scenario lies ahead of the test clock').toBeGreaterThan(now);
    await w.env.sleep(at - now);
  }

  /** A window ending at `endsAt`, and a ticket opened in it now. */
  async function openHeld(endsAt: number, priority: Priority = 'P1') {
    const windowId = randomUUID();
    rec.windows.set(windowId, new Date(endsAt).toISOString());
    const t = makeTicket(await w.env.currentTimeMs(), priority);
    const h = await w.open(input(t, undefined, { maintenance: { windowId, until: new Date(endsAt).toISOString() } }));
    return { windowId, t, h, openedAt: Date.parse(t.createdAt) };
  }

  it('a Sunday-night P1 opened in the window pages nobody until it ends, then exactly on its clocks from the end', async () => {
    const week = nextWeekend(await w.env.currentTimeMs(), 'America/New_York');
    const end = week.at('mon', '02:00');
    await clockTo(week.at('sun', '23:00'));
    const { windowId, t, h } = await openHeld(end);

    const opened = await h.query(getStateQuery);
    expect(opened.status, 'it opens normally').toBe('new');
    expect(opened.nextDeadline).toEqual({ at: new Date(end).toISOString(), kind: 'maintenance window ends' });
    expect(opened.clocks.find((c) => c.name === 'response')).toMatchObject({ state: 'paused', elapsedMinutes: 0 });

    await clockTo(end - MIN);
    const held = rec.events(t.id).find((e) => e.type === 'ticket.maintenance_held');
    expect(held?.data).toEqual({ number: t.number, windowId, until: new Date(end).toISOString() });
    expect(rec.assignments(t.id), 'it is assigned as usual').toHaveLength(1);
    expect(pages(t.id), 'no warning or page during the window').toEqual([]);
    expect(escalations(t.id)).toEqual([]);

    await clockTo(end + 20 * MIN);
    const released = rec.events(t.id).find((e) => e.type === 'ticket.maintenance_released');
    expectAt(released?.occurredAt, end, 'released at the window’s end');
    const [warn60, warn80, page] = pages(t.id);
    expectAt(warn60?.createdAt, end + 9 * MIN, '60 % warning');
    expectAt(warn80?.createdAt, end + 12 * MIN, '80 % warning');
    expect(page).toMatchObject({ template: 'escalation', tier: 2 });
    expectAt(page?.createdAt, end + 15 * MIN, 'tier 2 page');
    expectAt(escalations(t.id)[0]?.occurredAt, end + 15 * MIN, 'escalation');
  });

  it('a window made longer holds on (told by the signal, or finding out at the old end); an early end pages from then', async () => {
    const week = nextWeekend(await w.env.currentTimeMs(), 'America/New_York');
    await clockTo(week.at('sun', '22:00'));
    const end = week.at('mon', '01:00');
    const longer = await openHeld(end);
    const unsignalled = await openHeld(end);
    const early = await openHeld(end);

    await clockTo(week.at('sun', '23:00'));
    // Extended to 03:00: one ticket is told, the other finds out when 01:00 comes.
    rec.windows.set(longer.windowId, new Date(week.at('mon', '03:00')).toISOString());
    rec.windows.set(unsignalled.windowId, new Date(week.at('mon', '03:00')).toISOString());
    await longer.h.signal(maintenanceChangedSignal, { windowId: longer.windowId });
    // Ended early at 23:00.
    const endedAt = await w.env.currentTimeMs();
    rec.windows.set(early.windowId, new Date(endedAt).toISOString());
    await early.h.signal(maintenanceChangedSignal, { windowId: early.windowId });
    // A signal about another window changes nothing.
    await longer.h.signal(maintenanceChangedSignal, { windowId: randomUUID() });

    await clockTo(endedAt + 20 * MIN);
    expectAt(escalations(early.t.id)[0]?.occurredAt, endedAt + 15 * MIN, 'ended early: pages 15 min after the early end');
    expect((await longer.h.query(getStateQuery)).nextDeadline?.at).toBe(new Date(week.at('mon', '03:00')).toISOString());

    await clockTo(week.at('mon', '02:59'));
    for (const held of [longer, unsignalled]) {
      expect(pages(held.t.id), 'still held past the old end').toEqual([]);
      expect(rec.events(held.t.id).map((e) => e.type)).not.toContain('ticket.maintenance_released');
    }
    await clockTo(week.at('mon', '03:20'));
    for (const held of [longer, unsignalled]) expectAt(escalations(held.t.id)[0]?.occurredAt, week.at('mon', '03:15'), 'pages from the new end');
  });

  it('a ticket resolved during the window never pages; one acknowledged during it is not paged for its response', async () => {
    const week = nextWeekend(await w.env.currentTimeMs(), 'America/New_York');
    await clockTo(week.at('sun', '23:00'));
    const end = week.at('mon', '02:00');
    const resolved = await openHeld(end);
    const acked = await openHeld(end);
    await resolved.h.executeUpdate(resolveUpdate, { args: [{ ...agent, resolution: 'Was the planned downtime' }] });
    await acked.h.executeUpdate(acknowledgeUpdate, { args: [agent] });

    await clockTo(end + DAY);
    expect(pages(resolved.t.id)).toEqual([]);
    expect(escalations(resolved.t.id)).toEqual([]);
    expect(rec.events(resolved.t.id).map((e) => e.type)).toContain('ticket.maintenance_released');
    // Acknowledged: no response warning or page; its resolution clock ran from the end (the vendor after 60 min).
    expect(pages(acked.t.id).filter((p) => p.template === 'sla_warning' && p.deadlineKind === 'response target')).toEqual([]);
    const vendor = escalations(acked.t.id).find((e) => e.data['tier'] === 3);
    expectAt(vendor?.occurredAt, end + 60 * MIN, 'resolution-clock level from the window’s end');
  });

  it('a ticket resolved and reopened during the window still waits for its end', async () => {
    const week = nextWeekend(await w.env.currentTimeMs(), 'America/New_York');
    await clockTo(week.at('sun', '23:00'));
    const end = week.at('mon', '02:00');
    const { t, h } = await openHeld(end);
    await h.executeUpdate(resolveUpdate, { args: [{ ...agent, resolution: 'Looked fine' }] });
    const reopened = await h.executeUpdate(reopenUpdate, { args: [{ actor: { id: 'nurse-1', role: 'clinic_staff' }, reason: 'Still down', reasonId: randomUUID() }] });
    expect(reopened.clocks.find((c) => c.name === 'resolution')?.state).toBe('paused');
    await clockTo(end - MIN);
    expect(pages(t.id)).toEqual([]);
    await clockTo(end + 70 * MIN);
    expectAt(escalations(t.id).find((e) => e.data['tier'] === 3)?.occurredAt, end + 60 * MIN, 'resolution level from the window’s end');
  });

  it('a ticket opened before the window (not held) keeps its clocks and pages during it', async () => {
    const week = nextWeekend(await w.env.currentTimeMs(), 'America/New_York');
    await clockTo(week.at('sun', '21:50'));
    const t = makeTicket(await w.env.currentTimeMs(), 'P1');
    const h = await w.open(input(t));
    await clockTo(week.at('sun', '22:30'));
    expectAt(escalations(t.id)[0]?.occurredAt, Date.parse(t.createdAt) + 15 * MIN, 'pages on its own clocks');
    expect(rec.events(t.id).map((e) => e.type)).not.toContain('ticket.maintenance_held');
    expect((await h.query(getStateQuery)).clocks.find((c) => c.name === 'response')?.state).toBe('running');
  });

  it('business hours across the spring daylight-saving change: a P3 held over the night of the change pages at 10:00 EDT Monday', async () => {
    const { friday17 } = nextSpringForward(await w.env.currentTimeMs());
    // Saturday 22:00 EST (03:00 UTC Sunday) to Sunday 03:30 EDT (07:30 UTC): the clocks jump at 02:00 EST inside it.
    const opened = friday17 + 29 * HOUR;
    const end = friday17 + 33 * HOUR + 30 * MIN;
    expect(utcOffsetMinutes('America/New_York', opened)).toBe(-300);
    expect(utcOffsetMinutes('America/New_York', end)).toBe(-240);
    await clockTo(opened);
    const { t } = await openHeld(end, 'P3');
    // The clinic's hours start Monday 08:00 EDT (12:00 UTC); 120 business minutes later is 10:00 EDT,
    // 14:00 UTC — an hour earlier in UTC than the same local time a week before.
    const monday10 = friday17 + 64 * HOUR;
    expect(utcOffsetMinutes('America/New_York', monday10)).toBe(-240);
    expect(new Date(monday10).toISOString().slice(11, 16)).toBe('14:00');
    await clockTo(monday10 - MIN);
    expect(escalations(t.id)).toEqual([]);
    expectAt(rec.events(t.id).find((e) => e.type === 'ticket.maintenance_released')?.occurredAt, end, 'released at 03:30 EDT');
    await clockTo(monday10 + 5 * MIN);
    expectAt(escalations(t.id)[0]?.occurredAt, monday10, 'P3 tier 2 at 10:00 EDT');
  });
});
