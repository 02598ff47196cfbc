/**
 * Repeating on-call rotations with one-off overrides, the pure part: who is on call when.
 *
 * A rotation hands the pager from one participant to the next, in order, every `lengthDays` days
 * at `handoffTime` on the wall clock of `timeZone`. The first hand-off is on `startDate`, or on
 * the first `handoffWeekday` on or after it. Hand-offs are computed as local dates and times and
 * only then turned into instants, so a weekly 09:00 hand-off in Europe/London stays at 09:00
 * local across the clock changes (the shift spanning the change is an hour shorter or longer).
 *
 * An override (a person, from, to) replaces whoever the rotation names for its span; the rotation
 * shifts it overlaps are cut around it. Overrides of one team do not overlap each other (the store
 * refuses it); if they did, the earliest-starting one would answer for an instant.
 *
 * No I/O and no clock: sandbox-safe like the rest of this folder.
 */
import type { Weekday } from '@tierline/contracts';
import { MS_PER_MINUTE, localDateTime, localToUtc, parseLocalTime } from '../policy/calendar.js';

const MS_PER_DAY = 24 * 60 * MS_PER_MINUTE;

export interface Rotation {
  /** Usernames, in hand-off order; the first takes the first shift. */
  participants: readonly string[];
  /** The day of the first hand-off: the first such weekday on or after startDate; null = startDate itself. */
  handoffWeekday: Weekday | null;
  /** Local wall-clock time of every hand-off, "HH:MM". */
  handoffTime: string;
  /** How long each person holds the pager, in whole days (7 = weekly). */
  lengthDays: number;
  timeZone: string;
  /** "YYYY-MM-DD", a local date in timeZone. Nobody is on call by rotation before the first hand-off. */
  startDate: string;
}

export interface OnCallOverride {
  id: string;
  username: string;
  startsAtMs: number;
  endsAtMs: number;
}

/** One stretch of on-call duty: [startsAtMs, endsAtMs). */
export interface ScheduledShift {
  username: string;
  startsAtMs: number;
  endsAtMs: number;
  source: 'rotation' | 'override';
  /** The override's id when source = 'override'. */
  overrideId: string | null;
}

const WEEKDAY_INDEX: Record<Weekday, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/** Days since 1970-01-01 of a "YYYY-MM-DD" date. Throws on a malformed one. */
function dayNumber(date: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(date);
  if (!m) throw new RangeError(`not a date "YYYY-MM-DD": ${JSON.stringify(date)}`);
  return Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / MS_PER_DAY);
}

/** The local date (as a day number) of the first hand-off. */
function firstHandoffDay(r: Rotation): number {
  const start = dayNumber(r.startDate);
  if (r.handoffWeekday === null) return start;
  const weekday = new Date(start * MS_PER_DAY).getUTCDay();
  return start + ((WEEKDAY_INDEX[r.handoffWeekday] - weekday + 7) % 7);
}

/** Checks what the schema cannot: throws a RangeError naming the problem. */
function checkRotation(r: Rotation): void {
  if (r.participants.length === 0) throw new RangeError('a rotation needs at least one participant');
  if (!Number.isInteger(r.lengthDays) || r.lengthDays < 1) throw new RangeError(`lengthDays must be a whole number of days ≥ 1 (got ${r.lengthDays})`);
}

/** The instant of hand-off number k (0 = the first). */
function handoffAt(r: Rotation, firstDay: number, minutes: number, k: number): number {
  return localToUtc(r.timeZone, (firstDay + k * r.lengthDays) * MS_PER_DAY + minutes * MS_PER_MINUTE);
}

/** The instant of the rotation's first hand-off. */
export function rotationStartsAt(r: Rotation): number {
  return handoffAt(r, firstHandoffDay(r), parseLocalTime(r.handoffTime), 0);
}

/** The rotation's own shifts overlapping [fromMs, toMs), whole (not clipped to the range), by start. */
export function rotationShiftsBetween(r: Rotation, fromMs: number, toMs: number): ScheduledShift[] {
  checkRotation(r);
  const firstDay = firstHandoffDay(r);
  const minutes = parseLocalTime(r.handoffTime);
  const out: ScheduledShift[] = [];
  if (toMs <= fromMs) return out;
  // Start one shift early: the local day of `fromMs` may sit just before that day's hand-off.
  const l = localDateTime(r.timeZone, fromMs);
  const fromDay = Math.floor(Date.UTC(l.year, l.month - 1, l.day) / MS_PER_DAY);
  let k = Math.max(0, Math.floor((fromDay - firstDay) / r.lengthDays) - 1);
  let start = handoffAt(r, firstDay, minutes, k);
  while (start < toMs) {
    const end = handoffAt(r, firstDay, minutes, k + 1);
    if (end > fromMs) {
      out.push({ username: r.participants[k % r.participants.length]!, startsAtMs: start, endsAtMs: end, source: 'rotation', overrideId: null });
    }
    k += 1;
    start = end;
  }
  return out;
}

/**
 * Who is on call over [fromMs, toMs): the rotation's shifts (if there is a rotation) cut around
 * the overrides, and the overrides themselves, by start. Shifts are whole where they are not
 * cut, so the first may start before `fromMs` and the last end after `toMs`.
 */
export function shiftsBetween(rotation: Rotation | null, overrides: readonly OnCallOverride[], fromMs: number, toMs: number): ScheduledShift[] {
  if (toMs <= fromMs) return [];
  const ovs = [...overrides].filter((o) => o.endsAtMs > o.startsAtMs).sort((a, b) => a.startsAtMs - b.startsAtMs);
  const out: ScheduledShift[] = [];
  for (const s of rotation ? rotationShiftsBetween(rotation, fromMs, toMs) : []) {
    // Subtract every override from the shift; what is left are the rotation's pieces.
    let pieces: [number, number][] = [[s.startsAtMs, s.endsAtMs]];
    for (const o of ovs) {
      pieces = pieces.flatMap(([a, b]): [number, number][] => {
        if (o.endsAtMs <= a || b <= o.startsAtMs) return [[a, b]];
        const left: [number, number][] = a < o.startsAtMs ? [[a, o.startsAtMs]] : [];
        const right: [number, number][] = o.endsAtMs < b ? [[o.endsAtMs, b]] : [];
        return [...left, ...right];
      });
    }
    for (const [a, b] of pieces) if (b > fromMs && a < toMs) out.push({ ...s, startsAtMs: a, endsAtMs: b });
  }
  for (const o of ovs) {
    if (o.endsAtMs > fromMs && o.startsAtMs < toMs) {
      out.push({ username: o.username, startsAtMs: o.startsAtMs, endsAtMs: o.endsAtMs, source: 'override', overrideId: o.id });
    }
  }
  return out.sort((a, b) => a.startsAtMs - b.startsAtMs || (a.source === 'override' ? -1 : 1));
}

/** Who is on call at `ms`: the override covering it, else the rotation's shift; null = nobody. */
export function onCallAt(rotation: Rotation | null, overrides: readonly OnCallOverride[], ms: number): ScheduledShift | null {
  return shiftsBetween(rotation, overrides, ms, ms + 1).find((s) => s.startsAtMs <= ms && ms < s.endsAtMs) ?? null;
}
