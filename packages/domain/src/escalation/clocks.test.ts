import { describe, expect, it } from 'vitest';
import type { Calendar } from '@tierline/contracts';
import { dueAt, elapsedMs, instantAt, newClock, pauseClock, rebaseClock, resumeClock, startClock, stopClock } from './clocks.js';

const MIN = 60_000;
const t = (iso: string): number => Date.parse(iso);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const WEEKDAYS_8_18 = [{ start: '08:00', end: '18:00' }];
/** New York clinic hours, Monday to Friday 08:00–18:00 (UTC-5 in December). */
const CALENDARS: Record<string, Calendar> = {
  clinic: {
    mode: 'business_hours',
    timeZone: 'America/New_York',
    weeklyHours: { mon: WEEKDAYS_8_18, tue: WEEKDAYS_8_18, wed: WEEKDAYS_8_18, thu: WEEKDAYS_8_18, fri: WEEKDAYS_8_18, sat: [], sun: [] },
    holidays: ['2026-12-25'],
  },
  always: { mode: '24x7', timeZone: 'America/New_York' },
};
const cal = (name: string): Calendar => CALENDARS[name]!;

// Friday 2026-12-04 17:00 in New York: one clinic hour left before the weekend.
const FRI_17 = t('2026-12-04T22:00:00Z');

describe('a clock on clinic hours', () => {
  it('counts only open hours, so a 2-hour target opened Friday 17:00 falls on Monday 09:00', () => {
    const c = newClock('response', 'clinic', 120, FRI_17);
    expect(c.state).toBe('running');
    expect(iso(dueAt(c, cal))).toBe('2026-12-07T14:00:00.000Z');
    expect(elapsedMs(c, t('2026-12-05T18:00:00Z'), cal)).toBe(60 * MIN); // Saturday: still the one Friday hour
    expect(iso(instantAt(c, 30 * MIN, cal))).toBe('2026-12-04T22:30:00.000Z');
    expect(iso(instantAt(c, 0, cal))).toBe('2026-12-04T22:00:00.000Z');
  });

  it('keeps counted time while paused and moves its deadline by the paused time', () => {
    const c = newClock('resolution', 'clinic', 120, FRI_17);
    pauseClock(c, t('2026-12-04T22:30:00Z'), cal);
    expect(c).toMatchObject({ state: 'paused', runningSinceMs: null, elapsedBeforeMs: 30 * MIN });
    expect(dueAt(c, cal)).toBeNull();
    expect(elapsedMs(c, t('2026-12-07T20:00:00Z'), cal)).toBe(30 * MIN);
    // Resumed Monday 10:00: 90 minutes left → 11:30.
    resumeClock(c, t('2026-12-07T15:00:00Z'));
    expect(c.state).toBe('running');
    expect(iso(dueAt(c, cal))).toBe('2026-12-07T16:30:00.000Z');
  });

  it('stops for good: counted time is frozen and it has no deadline; a not-started clock cannot stop', () => {
    const c = newClock('response', 'clinic', 120, FRI_17);
    stopClock(c, t('2026-12-04T22:45:00Z'), cal);
    expect(c).toMatchObject({ state: 'stopped', elapsedBeforeMs: 45 * MIN, stoppedAtMs: t('2026-12-04T22:45:00Z') });
    expect(elapsedMs(c, t('2026-12-08T22:45:00Z'), cal)).toBe(45 * MIN);
    expect(dueAt(c, cal)).toBeNull();
    resumeClock(c, t('2026-12-07T15:00:00Z'));
    expect(c.state).toBe('stopped');

    const vendor = newClock('vendor_response', 'clinic', 60, null);
    stopClock(vendor, FRI_17, cal);
    expect(vendor.state).toBe('not_started');
  });

  it('re-bases on another calendar and target without losing counted time, and knows when the new target has passed', () => {
    const c = newClock('response', 'clinic', 120, FRI_17);
    // At Friday 17:30 (30 clinic minutes counted), move to a 24x7 calendar with a 60-minute target.
    rebaseClock(c, t('2026-12-04T22:30:00Z'), 'always', 60, cal);
    expect(c).toMatchObject({ calendar: 'always', targetMinutes: 60, elapsedBeforeMs: 30 * MIN, breached: false });
    expect(iso(dueAt(c, cal))).toBe('2026-12-04T23:00:00.000Z');
    rebaseClock(c, t('2026-12-04T22:50:00Z'), 'always', 15, cal);
    expect(c.breached).toBe(true);
    expect(iso(dueAt(c, cal))).toBe('2026-12-04T22:50:00.000Z');
  });

  it('restarts from zero', () => {
    const c = newClock('resolution', 'always', 60, FRI_17);
    c.warningsSent.push(75);
    c.breached = true;
    stopClock(c, t('2026-12-04T23:30:00Z'), cal);
    startClock(c, t('2026-12-05T10:00:00Z'), 'always', 240);
    expect(c).toMatchObject({ state: 'running', elapsedBeforeMs: 0, warningsSent: [], breached: false, stoppedAtMs: null, targetMinutes: 240 });
    expect(iso(dueAt(c, cal))).toBe('2026-12-05T14:00:00.000Z');
  });
});
