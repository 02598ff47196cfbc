import { describe, expect, it } from 'vitest';
import { nextSpringForward, nextWeekend } from './fixtures.js';

/** Local weekday and time of an instant in New York, from Intl (not from the policy code). */
const local = (ms: number) =>
  new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);

// The workflow tests take their dates from the test server's clock through these helpers; they
// must give the same kind of week whatever that clock says, years from now included.
const clocks = ['2026-12-03T08:00:00Z', '2027-03-12T21:59:00Z', '2027-03-16T12:00:00Z', '2027-11-05T12:00:00Z', '2031-02-28T23:00:00Z', '2044-07-04T00:00:00Z'].map(Date.parse);

describe('dates for the workflow tests, from the test server clock', () => {
  it.each(clocks)('nextSpringForward(%d): a Friday 17:00 EST ahead of the clock, and the Tuesday 09:00 EDT after', (now) => {
    const d = nextSpringForward(now);
    expect(d.friday17).toBeGreaterThan(now);
    expect(d.friday17 - now).toBeLessThan(400 * 24 * 3_600_000);
    expect(local(d.friday17)).toBe('Fri 17:00');
    expect(local(d.tuesday9)).toBe('Tue 09:00');
    // Four calendar days, one hour lost to the clock change.
    expect(d.tuesday9 - d.friday17).toBe((3 * 24 + 16 - 1) * 3_600_000);
    expect(local(Date.parse(`${d.monday}T17:00:00Z`)).slice(0, 3)).toBe('Mon');
  });

  it.each(clocks)('nextWeekend(%d): Saturday to Tuesday ahead of the clock, local times as instants', (now) => {
    const w = nextWeekend(now, 'America/New_York');
    expect(w.at('sat', '00:00')).toBeGreaterThan(now);
    expect(local(w.at('sat', '12:30'))).toBe('Sat 12:30');
    expect(local(w.at('tue', '09:30'))).toBe('Tue 09:30');
    expect(w.at('tue', '09:30') - w.at('sat', '12:30')).toBe((3 * 24 - 3) * 3_600_000);
    expect(local(Date.parse(`${w.monday}T17:00:00Z`)).slice(0, 3)).toBe('Mon');
  });
});
