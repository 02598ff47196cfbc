/** The SLA report as the ticket service answers it (GET /api/v1/reports/sla). */
import type { SlaReport, SlaReportRow as SlaRow } from '../../../lib/api/types.js';

export type { SlaReport, SlaRow };

export const GROUP_BYS = ['priority', 'site', 'vendor', 'month', 'week'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];
export const PERIODS = { '30d': 'Last 30 days', '90d': 'Last 90 days', '12m': 'Last 12 months' } as const;
export type Period = keyof typeof PERIODS;

/** The report's [from, to) for a period ending now. */
export function periodRange(period: Period, now: Date): { from: string; to: string } {
  const to = new Date(now.getTime());
  const from = new Date(now.getTime());
  if (period === '30d') from.setUTCDate(from.getUTCDate() - 30);
  else if (period === '90d') from.setUTCDate(from.getUTCDate() - 90);
  else from.setUTCFullYear(from.getUTCFullYear() - 1);
  return { from: from.toISOString(), to: to.toISOString() };
}

export function reportQuery(period: Period, groupBy: GroupBy, now: Date, timeZone: string): { from: string; to: string; groupBy: GroupBy; timeZone: string } {
  const { from, to } = periodRange(period, now);
  return { from, to, groupBy, timeZone };
}

/** Minutes in words a lead reads at a glance: "45 min", "3 h 20 min", "2 d 4 h". */
export function formatDuration(minutes: number | null): string {
  if (minutes === null) return '—';
  const m = Math.round(minutes);
  if (m < 60) return `${m} min`;
  if (m < 24 * 60) return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
  const d = Math.floor(m / (24 * 60));
  const h = Math.round((m - d * 24 * 60) / 60);
  return h === 0 ? `${d} d` : `${d} d ${h} h`;
}

export function formatPercent(p: number | null): string {
  return p === null ? '—' : `${p.toFixed(p % 1 === 0 ? 0 : 1)} %`;
}

/** Bars of one measure, scaled to the largest; a null value gets no bar (and says so in its label). */
export function bars(rows: SlaRow[], measure: (r: SlaRow) => number | null, max?: number): { key: string; value: number | null; fraction: number }[] {
  const values = rows.map(measure);
  const top = max ?? Math.max(0, ...values.filter((v): v is number => v !== null));
  return rows.map((r, i) => {
    const value = values[i] ?? null;
    return { key: r.key, value, fraction: value === null || top === 0 ? 0 : Math.min(1, value / top) };
  });
}

/** The weekly trend's query (GET /api/v1/reports/sla/weekly) for a period ending now. */
export function weeklyQuery(period: Period, now: Date, timeZone: string): { from: string; to: string; timeZone: string } {
  return { ...periodRange(period, now), timeZone };
}

/**
 * A line of one measure over the weeks, in an SVG box of `width` × `height`: a point per week with
 * a value (a week without one leaves a gap), scaled from 0 to the largest value.
 */
export function linePoints(values: (number | null)[], width: number, height: number): { points: { index: number; x: number; y: number; value: number }[]; max: number; segments: string[] } {
  const max = Math.max(0, ...values.filter((v): v is number => v !== null));
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.flatMap((value, index) =>
    value === null ? [] : [{ index, value, x: Math.round(index * step * 10) / 10, y: Math.round((max === 0 ? height : height - (value / max) * height) * 10) / 10 }],
  );
  // Consecutive weeks are joined; a gap starts a new segment.
  const segments: string[] = [];
  let current: string[] = [];
  let last = -2;
  for (const p of points) {
    if (p.index !== last + 1 && current.length) {
      segments.push(current.join(' '));
      current = [];
    }
    current.push(`${p.x},${p.y}`);
    last = p.index;
  }
  if (current.length) segments.push(current.join(' '));
  return { points, max, segments };
}
