/** Deadlines as people read them: "in 4 min 05 s", "overdue by 2 min". Pure, so it is unit-tested. */

export type Urgency = 'ok' | 'soon' | 'overdue' | 'none';

export interface Countdown {
  /** Short text for a table cell or a badge. */
  text: string;
  /** The same for screen readers and titles, without abbreviations. */
  long: string;
  urgency: Urgency;
  /** Milliseconds left (negative when overdue); null without a deadline. */
  remainingMs: number | null;
}

/** Under this much time left a deadline is shown as "soon" (amber). */
export const SOON_MS = 15 * 60_000;

const pad = (n: number) => String(n).padStart(2, '0');

/** 65_000 → "1 min 05 s"; 3_900_000 → "1 h 05 min"; 2 days and more → "2 d 3 h". Whole seconds, rounded down. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return `${h} h ${pad(m)} min`;
  if (m > 0) return `${m} min ${pad(s)} s`;
  return `${s} s`;
}

function spelled(short: string): string {
  return short.replace(/\bd\b/g, 'days').replace(/\bh\b/g, 'hours').replace(/\bmin\b/g, 'minutes').replace(/\bs\b/g, 'seconds');
}

/** Time to `deadline` (ISO string or null) as seen at `nowMs`. */
export function countdown(deadline: string | null | undefined, nowMs: number): Countdown {
  if (!deadline) return { text: '—', long: 'no deadline', urgency: 'none', remainingMs: null };
  const at = Date.parse(deadline);
  if (Number.isNaN(at)) return { text: '—', long: 'no deadline', urgency: 'none', remainingMs: null };
  const remainingMs = at - nowMs;
  if (remainingMs < 0) {
    // Overdue is counted up in whole minutes at most: seconds ticking up add alarm, not information.
    const late = formatDuration(-remainingMs < 60_000 ? -remainingMs : Math.floor(-remainingMs / 60_000) * 60_000);
    return { text: `overdue ${late}`, long: `overdue by ${spelled(late)}`, urgency: 'overdue', remainingMs };
  }
  const left = formatDuration(remainingMs);
  return { text: `in ${left}`, long: `in ${spelled(left)}`, urgency: remainingMs < SOON_MS ? 'soon' : 'ok', remainingMs };
}

/** Orders tickets the way the queue is sorted: soonest next deadline first, none last, then by id. */
export function byNextDeadline<T extends { id: string; nextDeadlineAt: string | null }>(a: T, b: T): number {
  const da = a.nextDeadlineAt ? Date.parse(a.nextDeadlineAt) : Infinity;
  const db = b.nextDeadlineAt ? Date.parse(b.nextDeadlineAt) : Infinity;
  if (da !== db) return da < db ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
