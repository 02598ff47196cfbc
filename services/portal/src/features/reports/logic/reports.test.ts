import { describe, expect, it } from 'vitest';
import { bars, formatDuration, formatPercent, linePoints, periodRange, reportQuery, weeklyQuery, type SlaRow } from './reports.js';

const row = (key: string, over: Partial<SlaRow> = {}): SlaRow => ({
  key,
  tickets: 1,
  acknowledged: 1,
  mttaMinutes: 10,
  resolved: 1,
  mttrMinutes: 60,
  breachedResponse: 0,
  breachedResolution: 0,
  breachedVendor: 0,
  slaCompliancePercent: 100,
  escalationsByTier: { tier2: 0, tier3: 0 },
  ...over,
});

describe('reports', () => {
  it('turns a period into the report query', () => {
    const now = new Date('2031-05-05T12:00:00.000Z');
    expect(periodRange('30d', now)).toEqual({ from: '2031-04-05T12:00:00.000Z', to: '2031-05-05T12:00:00.000Z' });
    expect(periodRange('12m', now).from).toBe('2030-05-05T12:00:00.000Z');
    expect(reportQuery('90d', 'month', now, 'America/New_York')).toEqual({
      from: '2031-02-04T12:00:00.000Z',
      to: '2031-05-05T12:00:00.000Z',
      groupBy: 'month',
      timeZone: 'America/New_York',
    });
  });

  it('says durations and percentages the way a lead reads them', () => {
    expect([formatDuration(null), formatDuration(44.6), formatDuration(60), formatDuration(200), formatDuration(3000)]).toEqual(['—', '45 min', '1 h', '3 h 20 min', '2 d 2 h']);
    expect([formatPercent(null), formatPercent(100), formatPercent(66.7)]).toEqual(['—', '100 %', '66.7 %']);
  });

  it('scales bars to the largest value or a fixed maximum, and gives a missing value no bar', () => {
    const rows = [row('P1', { mttaMinutes: 30 }), row('P2', { mttaMinutes: 15 }), row('P3', { mttaMinutes: null })];
    expect(bars(rows, (r) => r.mttaMinutes)).toEqual([
      { key: 'P1', value: 30, fraction: 1 },
      { key: 'P2', value: 15, fraction: 0.5 },
      { key: 'P3', value: null, fraction: 0 },
    ]);
    expect(bars([row('a', { slaCompliancePercent: 80 })], (r) => r.slaCompliancePercent, 100)[0]!.fraction).toBe(0.8);
    expect(bars([row('a', { mttaMinutes: 0 })], (r) => r.mttaMinutes)[0]!.fraction).toBe(0);
  });
});

describe('linePoints', () => {
  it('scales each week from 0 to the largest value, leaving gaps for weeks without a value', () => {
    const l = linePoints([10, 20, null, 0, 5], 400, 100);
    expect(l.max).toBe(20);
    expect(l.points).toEqual([
      { index: 0, value: 10, x: 0, y: 50 },
      { index: 1, value: 20, x: 100, y: 0 },
      { index: 3, value: 0, x: 300, y: 100 },
      { index: 4, value: 5, x: 400, y: 75 },
    ]);
    expect(l.segments).toEqual(['0,50 100,0', '300,100 400,75']);
  });

  it('draws an all-zero or single week at the bottom', () => {
    expect(linePoints([0, 0], 10, 10).segments).toEqual(['0,10 10,10']);
    expect(linePoints([3], 10, 10).points).toEqual([{ index: 0, value: 3, x: 0, y: 0 }]);
    expect(linePoints([], 10, 10)).toEqual({ points: [], max: 0, segments: [] });
  });
});

describe('weeklyQuery', () => {
  it('covers the period ending now in the given time zone', () => {
    expect(weeklyQuery('30d', new Date('2026-12-03T12:00:00Z'), 'America/New_York')).toEqual({ from: '2026-11-03T12:00:00.000Z', to: '2026-12-03T12:00:00.000Z', timeZone: 'America/New_York' });
  });
});
