import type { QuietHours } from './recipients.js';

const toMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Minutes since local midnight of `at` in `timeZone`. */
function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/**
 * When the recipient's quiet hours end, if `at` falls inside them; null otherwise. Windows may
 * wrap midnight (22:00–07:00). The end is computed in wall-clock minutes from `at`, so a DST
 * change inside the window shifts delivery by at most an hour, which is acceptable for a
 * non-P1 page.
 */
export function quietUntil(q: QuietHours, at: Date): Date | null {
  const start = toMinutes(q.start);
  const end = toMinutes(q.end);
  if (start === end) return null;
  const now = localMinutes(at, q.timeZone);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return null;
  const minutesLeft = (end - now + 1440) % 1440;
  const until = new Date(at.getTime() + minutesLeft * 60_000);
  until.setUTCSeconds(0, 0);
  return until;
}
