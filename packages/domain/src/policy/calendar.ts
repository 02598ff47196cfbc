/**
 * Business calendars: calendar time between instants, and the instant when a given amount of
 * calendar time has elapsed. Pure functions over epoch milliseconds.
 *
 * Runs inside the Temporal workflow sandbox: no Node built-ins, no I/O, no clock, no randomness,
 * no zod. Time zones come from `Intl.DateTimeFormat` only, which is deterministic for a given ICU
 * time-zone database (a worker fleet should run one Node version, so replays see the same rules).
 *
 * Units: the core functions work in **milliseconds** (`addBusinessMs`, `businessMsBetween`) so
 * round trips are exact; `addBusinessMinutes` / `businessMinutesBetween` are thin wrappers (the
 * latter may return a fractional number of minutes).
 *
 * Model of a business_hours calendar: for every local date D in the calendar's time zone that is
 * not a holiday, each working interval [start, end) of D's weekday becomes the instant range
 * [instant(D, start), instant(D, end)). A wall time resolves to the *earliest instant at which the
 * local clock shows that time or later*:
 *  - normal times: the one matching instant;
 *  - spring-forward gap (the wall time does not exist, e.g. 02:30 in New York on 2026-03-08): the
 *    transition instant, i.e. the first existing wall time after it (03:00 EDT). Hours inside the
 *    gap simply do not exist, so an interval 02:00–04:00 that day lasts one real hour;
 *  - fall-back overlap (the wall time happens twice, e.g. 01:30 in New York on 2026-11-01): the
 *    first occurrence (01:30 EDT). An interval 00:00–06:00 that day lasts seven real hours.
 * This mapping is monotonic, so resolved intervals stay ordered and disjoint.
 */
import type { Calendar, BusinessHoursCalendar } from '@tierline/contracts';

export const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
/** Scanning forward gives up after this many local days (a calendar that is never open). */
const MAX_SCAN_DAYS = 366 * 100;
/** No zone is further than 14 h from UTC. */
const MAX_OFFSET_MS = 14 * 3_600_000;

// ---------------------------------------------------------------------------------------------
// Time-zone primitives (Intl only)

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `Intl` knows the IANA time zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
}

const floorMod = (a: number, n: number): number => ((a % n) + n) % n;

/** Wall-clock fields of an instant in a time zone (seconds precision). */
export interface LocalDateTime {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localDateTime(timeZone: string, ms: number): LocalDateTime {
  const out: LocalDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) {
    switch (p.type) {
      case 'year':
        out.year = Number(p.value);
        break;
      case 'month':
        out.month = Number(p.value);
        break;
      case 'day':
        out.day = Number(p.value);
        break;
      case 'hour':
        out.hour = Number(p.value) % 24; // some ICU versions print "24" at midnight
        break;
      case 'minute':
        out.minute = Number(p.value);
        break;
      case 'second':
        out.second = Number(p.value);
        break;
      default:
        break;
    }
  }
  return out;
}

/** The zone's UTC offset at an instant, in ms (local − UTC; New York in winter: −5 h). */
export function zoneOffsetMs(timeZone: string, ms: number): number {
  const whole = ms - floorMod(ms, 1000);
  const l = localDateTime(timeZone, whole);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) - whole;
}

/**
 * The earliest instant at which the wall clock of `timeZone` shows `localMs` or later, where
 * `localMs` is a wall time encoded as if it were UTC (`Date.UTC(y, m - 1, d, h, min)`).
 * Overlap (fall back): the first occurrence. Gap (spring forward): the transition instant.
 * Assumes at most one offset transition within ±1 day, true of every real zone.
 */
export function localToUtc(timeZone: string, localMs: number): number {
  const before = zoneOffsetMs(timeZone, localMs - MS_PER_DAY);
  const after = zoneOffsetMs(timeZone, localMs + MS_PER_DAY);
  const withBefore = localMs - before;
  if (before === after) return withBefore;
  const withAfter = localMs - after;
  const beforeOk = zoneOffsetMs(timeZone, withBefore) === before;
  const afterOk = zoneOffsetMs(timeZone, withAfter) === after;
  if (beforeOk && afterOk) return Math.min(withBefore, withAfter); // overlap: first occurrence
  if (beforeOk) return withBefore;
  if (afterOk) return withAfter;
  // Gap: the offset grows by (after − before) at some instant T in (withAfter, withBefore].
  // Binary search T at one-second resolution (offsets change on whole seconds).
  let lo = withAfter; // offset here is still `before`
  let hi = withBefore; // offset here is already `after`
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (zoneOffsetMs(timeZone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Days since 1970-01-01 of the local date of an instant. */
function localDayNumber(timeZone: string, ms: number): number {
  return Math.floor((ms + zoneOffsetMs(timeZone, ms)) / MS_PER_DAY);
}

// ---------------------------------------------------------------------------------------------
// Compiled business hours

/** "HH:MM" → minutes after local midnight (24:00 → 1440). Throws on a malformed value. */
export function parseLocalTime(hhmm: string): number {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`not a local time "HH:MM": ${JSON.stringify(hhmm)}`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) throw new RangeError(`not a local time "HH:MM": ${JSON.stringify(hhmm)}`);
  return h * 60 + min;
}

/** Weekday keys indexed by JS day numbers (0 = Sunday). */
const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

interface CompiledHours {
  timeZone: string;
  /** Index 0 = Sunday; minute-of-day pairs, sorted by start. */
  week: Array<Array<readonly [number, number]>>;
  holidays: ReadonlySet<string>;
  hasHours: boolean;
}

function compile(cal: BusinessHoursCalendar): CompiledHours {
  const week = DAY_KEYS.map((k) =>
    (cal.weeklyHours[k] ?? [])
      .map((i) => [parseLocalTime(i.start), parseLocalTime(i.end)] as const)
      .filter(([s, e]) => e > s)
      .sort((a, b) => a[0] - b[0]),
  );
  return {
    timeZone: cal.timeZone,
    week,
    holidays: new Set(cal.holidays ?? []),
    hasHours: week.some((d) => d.length > 0),
  };
}

/** ISO date "YYYY-MM-DD" of a day number. */
function isoDate(dayNumber: number): string {
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The working instant ranges [start, end) of one local date, in order, empty ones dropped. */
function intervalsOn(c: CompiledHours, dayNumber: number): Array<readonly [number, number]> {
  const day = c.week[floorMod(dayNumber + 4, 7)]!; // 1970-01-01 was a Thursday
  if (day.length === 0 || c.holidays.has(isoDate(dayNumber))) return [];
  const midnight = dayNumber * MS_PER_DAY;
  // Fast path: the same offset well before and well after the local day (every instant of the
  // day lies within midnight − 14 h … midnight + 24 h + 14 h) means no transition that day, so
  // every wall time maps with that offset. Near a transition, resolve each boundary exactly.
  const before = zoneOffsetMs(c.timeZone, midnight - MAX_OFFSET_MS);
  const after = zoneOffsetMs(c.timeZone, midnight + MS_PER_DAY + MAX_OFFSET_MS);
  const resolve = (minuteOfDay: number): number => {
    const local = midnight + minuteOfDay * MS_PER_MINUTE;
    return before === after ? local - before : localToUtc(c.timeZone, local);
  };
  const out: Array<readonly [number, number]> = [];
  for (const [s, e] of day) {
    const start = resolve(s);
    const end = resolve(e);
    if (end > start) out.push([start, end]);
  }
  return out;
}

function assertInstant(name: string, v: number): void {
  if (!Number.isFinite(v)) throw new RangeError(`${name} must be a finite number of milliseconds, got ${v}`);
}

function neverOpen(cal: BusinessHoursCalendar): RangeError {
  return new RangeError(`calendar in ${cal.timeZone} has no working time (check weeklyHours and holidays)`);
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Whether `ms` falls inside working time (always true on a 24x7 calendar). */
export function isWorkingTime(cal: Calendar, ms: number): boolean {
  assertInstant('ms', ms);
  if (cal.mode === '24x7') return true;
  const c = compile(cal);
  const day = localDayNumber(c.timeZone, ms);
  for (let d = day - 1; d <= day + 1; d++) {
    for (const [s, e] of intervalsOn(c, d)) if (s <= ms && ms < e) return true;
  }
  return false;
}

/**
 * The earliest working instant at or after `ms`: `ms` itself when it is working time, else the
 * next opening. Throws RangeError when the calendar has no working time at all.
 */
export function nextOpening(cal: Calendar, ms: number): number {
  assertInstant('ms', ms);
  if (cal.mode === '24x7') return ms;
  const c = compile(cal);
  if (!c.hasHours) throw neverOpen(cal);
  const first = localDayNumber(c.timeZone, ms) - 1;
  for (let d = first; d < first + MAX_SCAN_DAYS; d++) {
    for (const [s, e] of intervalsOn(c, d)) if (e > ms) return Math.max(s, ms);
  }
  throw neverOpen(cal);
}

/**
 * The earliest instant t ≥ startMs such that `businessMsBetween(cal, startMs, t) === ms`.
 * 24x7: startMs + ms. Business hours: time outside working intervals does not count, so a start
 * outside hours effectively starts at the next opening (except ms = 0, which returns startMs),
 * and a deadline that lands exactly on a closing time is that closing time.
 * Cost: proportional to the number of local days spanned (never minute by minute).
 * Throws RangeError on a negative/non-finite amount or a calendar with no working time.
 */
export function addBusinessMs(cal: Calendar, startMs: number, ms: number): number {
  assertInstant('startMs', startMs);
  assertInstant('ms', ms);
  if (ms < 0) throw new RangeError(`cannot add a negative duration (${ms} ms)`);
  if (cal.mode === '24x7') return startMs + ms;
  if (ms === 0) return startMs;
  const c = compile(cal);
  if (!c.hasHours) throw neverOpen(cal);
  let remaining = ms;
  const first = localDayNumber(c.timeZone, startMs) - 1;
  for (let d = first; d < first + MAX_SCAN_DAYS; d++) {
    for (const [s, e] of intervalsOn(c, d)) {
      if (e <= startMs) continue;
      const from = Math.max(s, startMs);
      const available = e - from;
      if (remaining <= available) return from + remaining;
      remaining -= available;
    }
  }
  throw neverOpen(cal);
}

/**
 * Calendar time elapsed from aMs to bMs, in ms (working time only on a business_hours calendar).
 * Antisymmetric: negative when bMs < aMs.
 */
export function businessMsBetween(cal: Calendar, aMs: number, bMs: number): number {
  assertInstant('aMs', aMs);
  assertInstant('bMs', bMs);
  if (bMs < aMs) return -businessMsBetween(cal, bMs, aMs);
  if (cal.mode === '24x7' || aMs === bMs) return bMs - aMs;
  const c = compile(cal);
  if (!c.hasHours) return 0;
  let total = 0;
  const last = localDayNumber(c.timeZone, bMs) + 1;
  for (let d = localDayNumber(c.timeZone, aMs) - 1; d <= last; d++) {
    for (const [s, e] of intervalsOn(c, d)) {
      const overlap = Math.min(e, bMs) - Math.max(s, aMs);
      if (overlap > 0) total += overlap;
    }
  }
  return total;
}

/** `addBusinessMs` in minutes (fractional minutes are rounded to the millisecond). */
export function addBusinessMinutes(cal: Calendar, startMs: number, minutes: number): number {
  return addBusinessMs(cal, startMs, Math.round(minutes * MS_PER_MINUTE));
}

/** `businessMsBetween` in minutes; fractional when the span is not a whole number of minutes. */
export function businessMinutesBetween(cal: Calendar, aMs: number, bMs: number): number {
  return businessMsBetween(cal, aMs, bMs) / MS_PER_MINUTE;
}
