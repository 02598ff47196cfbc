import { describe, expect, it } from 'vitest';
import { byNextDeadline, countdown, formatDuration } from './countdown.js';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();

describe('countdowns', () => {
  it('formats durations at the precision that matters', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(59_999)).toBe('59 s');
    expect(formatDuration(65_000)).toBe('1 min 05 s');
    expect(formatDuration(3_900_000)).toBe('1 h 05 min');
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000 + 59_000)).toBe('2 d 3 h');
    expect(formatDuration(86_400_000)).toBe('1 d');
    expect(formatDuration(-5000)).toBe('0 s');
  });

  it('counts down to a deadline, amber in the last 15 minutes', () => {
    expect(countdown(at(20 * 60_000), NOW)).toMatchObject({ text: 'in 20 min 00 s', urgency: 'ok', remainingMs: 1_200_000 });
    expect(countdown(at(14 * 60_000 + 5_000), NOW)).toMatchObject({ text: 'in 14 min 05 s', long: 'in 14 minutes 05 seconds', urgency: 'soon' });
    expect(countdown(at(1), NOW).urgency).toBe('soon');
  });

  it('says how overdue a deadline is, in whole minutes past the first', () => {
    expect(countdown(at(-30_000), NOW)).toMatchObject({ text: 'overdue 30 s', urgency: 'overdue' });
    expect(countdown(at(-(3 * 60_000 + 42_000)), NOW)).toMatchObject({ text: 'overdue 3 min 00 s', long: 'overdue by 3 minutes 00 seconds', urgency: 'overdue' });
  });

  it('shows no deadline as a dash', () => {
    expect(countdown(null, NOW)).toMatchObject({ text: '—', urgency: 'none', remainingMs: null });
    expect(countdown('not a date', NOW).urgency).toBe('none');
  });

  it('sorts soonest deadline first, tickets without one last, ties by id', () => {
    const list = [
      { id: 'c', nextDeadlineAt: null },
      { id: 'b', nextDeadlineAt: at(60_000) },
      { id: 'a', nextDeadlineAt: at(60_000) },
      { id: 'd', nextDeadlineAt: at(-60_000) },
    ];
    expect([...list].sort(byNextDeadline).map((t) => t.id)).toEqual(['d', 'a', 'b', 'c']);
  });
});
