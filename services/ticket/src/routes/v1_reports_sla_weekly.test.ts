import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from './v1_reports_sla_csv.js';
import { isoWeekOf, weeksBetween } from './v1_reports_sla_weekly.js';

describe('ISO weeks', () => {
  it('numbers weeks by their Thursday, across the turn of the year', () => {
    expect(isoWeekOf('2026-12-28')).toBe('2026-W53');
    expect(isoWeekOf('2027-01-03')).toBe('2026-W53');
    expect(isoWeekOf('2027-01-04')).toBe('2027-W01');
    expect(isoWeekOf('2024-12-30')).toBe('2025-W01');
    expect(isoWeekOf('2031-01-05')).toBe('2031-W01');
  });

  it('lists every week a period touches in the time zone, whatever the DST change inside it', () => {
    // New York leaves DST on Sunday 1 November 2026; Monday 2 November 00:00 there is 05:00 UTC.
    expect(weeksBetween('2026-10-26T04:00:00Z', '2026-11-09T05:00:00Z', 'America/New_York')).toEqual(['2026-W44', '2026-W45']);
    // One minute later, Monday 9 November has begun in New York.
    expect(weeksBetween('2026-10-26T04:00:00Z', '2026-11-09T05:01:00Z', 'America/New_York')).toEqual(['2026-W44', '2026-W45', '2026-W46']);
    // The same instants in UTC: Sunday 25 October 04:00 is still in week 43.
    expect(weeksBetween('2026-10-25T04:00:00Z', '2026-10-26T04:00:00Z', 'UTC')).toEqual(['2026-W43', '2026-W44']);
  });
});

describe('CSV fields', () => {
  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvLine(['north', 3, null, 1.5])).toBe('north,3,,1.5');
    expect(csvField('east, "annex"')).toBe('"east, ""annex"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-2')).toBe("'-2");
  });
});
