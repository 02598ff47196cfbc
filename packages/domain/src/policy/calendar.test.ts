import { describe, expect, it } from 'vitest';
import type { Calendar } from '@tierline/contracts';
import {
  addBusinessMinutes,
  addBusinessMs,
  businessMinutesBetween,
  businessMsBetween,
  isWorkingTime,
  localDateTime,
  localToUtc,
  nextOpening,
  zoneOffsetMs,
} from './calendar.js';

const MIN = 60_000;
const t = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

const weekdays = (intervals: { start: string; end: string }[]) => ({
  mon: intervals,
  tue: intervals,
  wed: intervals,
  thu: intervals,
  fri: intervals,
  sat: [],
  sun: [],
});

const NY: Calendar = {
  mode: 'business_hours',
  timeZone: 'America/New_York',
  weeklyHours: weekdays([{ start: '08:00', end: '18:00' }]),
  holidays: ['2026-12-25', '2026-07-03'],
};
const BERLIN: Calendar = {
  mode: 'business_hours',
  timeZone: 'Europe/Berlin',
  weeklyHours: weekdays([{ start: '09:00', end: '17:00' }]),
  holidays: ['2026-12-25', '2026-12-26'],
};
const SPLIT: Calendar = {
  mode: 'business_hours',
  timeZone: 'America/New_York',
  weeklyHours: weekdays([
    { start: '13:00', end: '17:00' }, // listed out of order on purpose
    { start: '08:00', end: '12:00' },
  ]),
  holidays: [],
};
/** Open on Sundays only, in New York: the DST transitions happen on Sundays. */
const sundaysOnly = (sun: { start: string; end: string }[]): Calendar => ({
  mode: 'business_hours',
  timeZone: 'America/New_York',
  weeklyHours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun },
  holidays: [],
});
/** A whole local day that contains the transition. */
const SUNDAYS = sundaysOnly([{ start: '00:00', end: '24:00' }]);
const ALWAYS_NY: Calendar = { mode: '24x7', timeZone: 'America/New_York' };

describe('time-zone primitives (Intl only)', () => {
  it('reads offsets on both sides of the New York and Berlin transitions', () => {
    expect(zoneOffsetMs('America/New_York', t('2026-03-08T06:59:59Z'))).toBe(-5 * 60 * MIN);
    expect(zoneOffsetMs('America/New_York', t('2026-03-08T07:00:00Z'))).toBe(-4 * 60 * MIN);
    expect(zoneOffsetMs('America/New_York', t('2026-11-01T05:59:59Z'))).toBe(-4 * 60 * MIN);
    expect(zoneOffsetMs('America/New_York', t('2026-11-01T06:00:00Z'))).toBe(-5 * 60 * MIN);
    expect(zoneOffsetMs('Europe/Berlin', t('2026-03-29T00:59:59Z'))).toBe(60 * MIN);
    expect(zoneOffsetMs('Europe/Berlin', t('2026-03-29T01:00:00Z'))).toBe(120 * MIN);
    expect(zoneOffsetMs('Asia/Kolkata', t('2026-06-01T00:00:00.789Z'))).toBe(330 * MIN);
  });

  it('maps local wall times to instants: normal, gap (spring forward) and overlap (fall back)', () => {
    const local = (y: number, mo: number, d: number, h: number, mi: number) => Date.UTC(y, mo - 1, d, h, mi);
    expect(iso(localToUtc('America/New_York', local(2026, 3, 9, 9, 0)))).toBe('2026-03-09T13:00:00.000Z');
    expect(iso(localToUtc('America/New_York', local(2026, 3, 6, 17, 0)))).toBe('2026-03-06T22:00:00.000Z');
    // 02:30 does not exist on 2026-03-08: the first existing wall time after it is 03:00 EDT.
    expect(iso(localToUtc('America/New_York', local(2026, 3, 8, 2, 30)))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(localToUtc('America/New_York', local(2026, 3, 8, 3, 0)))).toBe('2026-03-08T07:00:00.000Z');
    // 01:30 happens twice on 2026-11-01: the first occurrence (EDT).
    expect(iso(localToUtc('America/New_York', local(2026, 11, 1, 1, 30)))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(localToUtc('Europe/Berlin', local(2026, 3, 29, 2, 15)))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(localToUtc('Europe/Berlin', local(2026, 10, 25, 2, 30)))).toBe('2026-10-25T00:30:00.000Z');
    // Lord Howe Island shifts by 30 minutes.
    expect(iso(localToUtc('Australia/Lord_Howe', local(2026, 10, 4, 2, 10)))).toBe('2026-10-03T15:30:00.000Z');
  });

  it('gives local wall-clock fields', () => {
    expect(localDateTime('America/New_York', t('2026-03-09T13:00:00Z'))).toEqual({ year: 2026, month: 3, day: 9, hour: 9, minute: 0, second: 0 });
    expect(localDateTime('Europe/Berlin', t('2026-12-31T23:30:00Z'))).toEqual({ year: 2027, month: 1, day: 1, hour: 0, minute: 30, second: 0 });
  });
});

describe('24x7 calendars', () => {
  it('is plain arithmetic, DST or not', () => {
    const start = t('2026-03-08T06:00:00Z');
    expect(iso(addBusinessMinutes(ALWAYS_NY, start, 120))).toBe('2026-03-08T08:00:00.000Z');
    expect(businessMinutesBetween(ALWAYS_NY, start, t('2026-03-09T06:00:00Z'))).toBe(24 * 60);
    expect(businessMinutesBetween(ALWAYS_NY, t('2026-03-09T06:00:00Z'), start)).toBe(-24 * 60);
    expect(businessMinutesBetween(ALWAYS_NY, start, start + 90_000)).toBe(1.5);
    expect(addBusinessMs(ALWAYS_NY, start, 0)).toBe(start);
    expect(isWorkingTime(ALWAYS_NY, start)).toBe(true);
    expect(nextOpening(ALWAYS_NY, start)).toBe(start);
  });
});

describe('business hours, America/New_York Mon–Fri 08:00–18:00', () => {
  const cases: Array<[string, string, number, string]> = [
    // [what, start, business minutes, expected instant]
    ['within a day', '2026-02-09T14:00:00Z' /* Mon 09:00 EST */, 120, '2026-02-09T16:00:00.000Z'],
    ['landing exactly on closing time stays that day', '2026-02-09T21:00:00Z' /* Mon 16:00 */, 120, '2026-02-09T23:00:00.000Z'],
    ['across a weekend', '2026-02-06T21:00:00Z' /* Fri 16:00 EST */, 180, '2026-02-09T14:00:00.000Z' /* Mon 09:00 EST */],
    ['across a holiday and a weekend', '2026-12-24T22:30:00Z' /* Thu 17:30 EST */, 60, '2026-12-28T13:30:00.000Z' /* Mon 08:30 */],
    ['across spring forward (weekend of 2026-03-08)', '2026-03-06T22:00:00Z' /* Fri 17:00 EST */, 120, '2026-03-09T13:00:00.000Z' /* Mon 09:00 EDT */],
    ['across fall back (weekend of 2026-11-01)', '2026-10-30T21:00:00Z' /* Fri 17:00 EDT */, 120, '2026-11-02T14:00:00.000Z' /* Mon 09:00 EST */],
    ['start on a Saturday = start at Monday opening', '2026-02-07T17:00:00Z', 30, '2026-02-09T13:30:00.000Z'],
    ['start before opening', '2026-02-10T11:00:00Z' /* Tue 06:00 */, 60, '2026-02-10T14:00:00.000Z'],
    ['start after closing', '2026-02-11T00:00:00Z' /* Tue 19:00 */, 60, '2026-02-11T14:00:00.000Z' /* Wed 09:00 */],
    ['one full business week', '2026-02-09T13:00:00Z' /* Mon 08:00 */, 5 * 600, '2026-02-13T23:00:00.000Z' /* Fri 18:00 */],
    ['Independence Day observed (Fri 2026-07-03)', '2026-07-02T21:00:00Z' /* Thu 17:00 EDT */, 61, '2026-07-06T12:01:00.000Z' /* Mon 08:01 EDT */],
  ];
  it.each(cases)('%s', (_what, start, minutes, expected) => {
    const s = t(start);
    const end = addBusinessMinutes(NY, s, minutes);
    expect(iso(end)).toBe(expected);
    expect(businessMinutesBetween(NY, s, end)).toBe(minutes);
  });

  it('adds 0 minutes as the start itself, even outside hours', () => {
    const sat = t('2026-02-07T17:00:00Z');
    expect(addBusinessMinutes(NY, sat, 0)).toBe(sat);
  });

  it('counts only working time between two instants', () => {
    // Fri 17:00 EST → Mon 09:00 EDT across the spring-forward weekend: 1 h + 1 h.
    expect(businessMinutesBetween(NY, t('2026-03-06T22:00:00Z'), t('2026-03-09T13:00:00Z'))).toBe(120);
    // Sat → Sun: nothing.
    expect(businessMinutesBetween(NY, t('2026-02-07T12:00:00Z'), t('2026-02-08T20:00:00Z'))).toBe(0);
    // Seconds count too.
    expect(businessMinutesBetween(NY, t('2026-02-09T14:00:00Z'), t('2026-02-09T14:00:30Z'))).toBe(0.5);
    // A whole (non-holiday) 2026 work-week count: 2026 has 261 weekdays, minus the two holidays.
    expect(businessMinutesBetween(NY, t('2026-01-01T00:00:00Z'), t('2027-01-01T05:00:00Z'))).toBe((261 - 2) * 600);
  });

  it('knows working time and the next opening', () => {
    expect(isWorkingTime(NY, t('2026-02-09T13:00:00Z'))).toBe(true); // Mon 08:00 EST, opening instant
    expect(isWorkingTime(NY, t('2026-02-09T22:59:59.999Z'))).toBe(true);
    expect(isWorkingTime(NY, t('2026-02-09T23:00:00Z'))).toBe(false); // 18:00, closed
    expect(isWorkingTime(NY, t('2026-02-07T17:00:00Z'))).toBe(false); // Saturday
    expect(isWorkingTime(NY, t('2026-12-25T15:00:00Z'))).toBe(false); // holiday
    expect(iso(nextOpening(NY, t('2026-02-09T23:00:00Z')))).toBe('2026-02-10T13:00:00.000Z');
    expect(iso(nextOpening(NY, t('2026-03-07T12:00:00Z')))).toBe('2026-03-09T12:00:00.000Z'); // Mon 08:00 EDT
    expect(iso(nextOpening(NY, t('2026-12-24T23:30:00Z')))).toBe('2026-12-28T13:00:00.000Z');
    const inHours = t('2026-02-09T15:12:34.567Z');
    expect(nextOpening(NY, inHours)).toBe(inHours);
  });

  it('adds and counts long spans exactly: 10,000 and 500,000 business minutes (their speed is in npm run bench)', () => {
    const start = t('2026-01-05T13:00:00Z'); // Mon 08:00 EST
    const end = addBusinessMinutes(NY, start, 10_000);
    const far = addBusinessMinutes(NY, start, 500_000); // ~3.2 years of business days
    // 10,000 min = 16 days of 600 min + 400 min: 2026-01-05 + 16 weekdays (no holidays) = Tue 2026-01-27, then 08:00 + 6h40.
    expect(iso(end)).toBe('2026-01-27T19:40:00.000Z');
    expect(businessMinutesBetween(NY, start, end)).toBe(10_000);
    expect(businessMinutesBetween(NY, start, far)).toBe(500_000);
  });
});

describe('business hours, Europe/Berlin Mon–Fri 09:00–17:00', () => {
  it('crosses the spring-forward weekend (2026-03-29)', () => {
    const end = addBusinessMinutes(BERLIN, t('2026-03-27T15:00:00Z') /* Fri 16:00 CET */, 120);
    expect(iso(end)).toBe('2026-03-30T08:00:00.000Z'); // Mon 10:00 CEST
  });
  it('crosses the fall-back weekend (2026-10-25)', () => {
    const end = addBusinessMinutes(BERLIN, t('2026-10-23T14:00:00Z') /* Fri 16:00 CEST */, 120);
    expect(iso(end)).toBe('2026-10-26T09:00:00.000Z'); // Mon 10:00 CET
  });
  it('skips Christmas (two holidays) and the weekend', () => {
    const end = addBusinessMinutes(BERLIN, t('2026-12-24T15:30:00Z') /* Thu 16:30 CET */, 60);
    expect(iso(end)).toBe('2026-12-28T08:30:00.000Z'); // Mon 09:30 CET
  });
});

describe('split days 08:00–12:00 and 13:00–17:00', () => {
  it('skips lunch', () => {
    const start = t('2026-02-09T16:00:00Z'); // Mon 11:00 EST
    const end = addBusinessMinutes(SPLIT, start, 120);
    expect(iso(end)).toBe('2026-02-09T19:00:00.000Z'); // 14:00 EST
    expect(businessMinutesBetween(SPLIT, start, end)).toBe(120);
    expect(isWorkingTime(SPLIT, t('2026-02-09T17:30:00Z'))).toBe(false); // 12:30
    expect(iso(nextOpening(SPLIT, t('2026-02-09T17:30:00Z')))).toBe('2026-02-09T18:00:00.000Z');
  });
  it('a start at lunch starts at 13:00; 4 h after 12:00 ends at 17:00', () => {
    expect(iso(addBusinessMinutes(SPLIT, t('2026-02-09T17:00:00Z'), 240))).toBe('2026-02-09T22:00:00.000Z');
    expect(iso(addBusinessMinutes(SPLIT, t('2026-02-09T17:00:00Z'), 241))).toBe('2026-02-10T13:01:00.000Z');
  });
});

describe('intervals that contain a DST transition', () => {
  it('a local day is 23 h in spring and 25 h in autumn', () => {
    expect(businessMinutesBetween(SUNDAYS, t('2026-03-07T00:00:00Z'), t('2026-03-10T00:00:00Z'))).toBe(23 * 60);
    expect(businessMinutesBetween(SUNDAYS, t('2026-10-31T00:00:00Z'), t('2026-11-03T00:00:00Z'))).toBe(25 * 60);
    // 3 h after Sunday 00:00 EST on 2026-03-08 is 04:00 EDT = 08:00Z (02:00–03:00 never happened).
    expect(iso(addBusinessMinutes(SUNDAYS, t('2026-03-08T05:00:00Z'), 180))).toBe('2026-03-08T08:00:00.000Z');
    // 3 h after Sunday 00:00 EDT on 2026-11-01 is 02:00 EST = 07:00Z (01:00–02:00 happened twice).
    expect(iso(addBusinessMinutes(SUNDAYS, t('2026-11-01T04:00:00Z'), 180))).toBe('2026-11-01T07:00:00.000Z');
  });
  it('an interval inside the spring-forward gap is empty, one straddling it is shortened', () => {
    const gap = sundaysOnly([{ start: '02:10', end: '02:50' }, { start: '03:30', end: '04:00' }]);
    expect(businessMinutesBetween(gap, t('2026-03-08T00:00:00Z'), t('2026-03-09T00:00:00Z'))).toBe(30);
    const straddle = sundaysOnly([{ start: '01:00', end: '04:00' }]);
    expect(businessMinutesBetween(straddle, t('2026-03-08T00:00:00Z'), t('2026-03-09T00:00:00Z'))).toBe(120);
  });
});

/** mulberry32: a small seeded PRNG, so the generated cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('properties over generated cases (seeded)', () => {
  const calendars: Array<[string, Calendar]> = [
    ['New York', NY],
    ['Berlin', BERLIN],
    ['split', SPLIT],
    ['Sundays (DST days)', SUNDAYS],
    ['24x7', ALWAYS_NY],
    [
      'Lord Howe, night shift',
      {
        mode: 'business_hours',
        timeZone: 'Australia/Lord_Howe',
        weeklyHours: { mon: [{ start: '00:00', end: '06:00' }, { start: '22:00', end: '24:00' }], tue: [], wed: [{ start: '01:30', end: '02:45' }], thu: [], fri: [], sat: [{ start: '00:00', end: '24:00' }], sun: [{ start: '01:00', end: '03:00' }] },
        holidays: ['2026-10-04'],
      },
    ],
  ];
  const FROM = t('2026-01-01T00:00:00Z');
  const SPAN = t('2028-01-01T00:00:00Z') - FROM;

  it.each(calendars)('round trip businessMinutesBetween(start, addBusinessMinutes(start, m)) === m — %s', (_name, cal) => {
    const rnd = prng(0xc0ffee);
    for (let i = 0; i < 400; i++) {
      const start = FROM + Math.floor(rnd() * SPAN);
      const minutes = Math.floor(rnd() * (i % 4 === 0 ? 20_000 : 1_500));
      const end = addBusinessMinutes(cal, start, minutes);
      expect(end).toBeGreaterThanOrEqual(start);
      expect(businessMinutesBetween(cal, start, end), `start ${iso(start)} + ${minutes}`).toBe(minutes);
      // Earliest such instant: one ms less is not enough (for a positive amount).
      if (minutes > 0) expect(businessMsBetween(cal, start, end - 1)).toBe(minutes * MIN - 1);
      // Monotonic in the amount.
      expect(addBusinessMinutes(cal, start, minutes + 1)).toBeGreaterThan(end);
    }
  });

  it('agrees with a minute-by-minute wall-clock oracle across both New York DST changes', () => {
    const holidays = new Set(NY.mode === 'business_hours' ? NY.holidays : []);
    const working = (ms: number): boolean => {
      const l = localDateTime('America/New_York', ms);
      const date = `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
      const weekday = new Date(Date.UTC(l.year, l.month - 1, l.day)).getUTCDay();
      return weekday >= 1 && weekday <= 5 && !holidays.has(date) && l.hour >= 8 && l.hour < 18;
    };
    const rnd = prng(42);
    for (const around of ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z', '2026-12-25T12:00:00Z']) {
      for (let i = 0; i < 6; i++) {
        const start = t(around) - 4 * 86_400_000 + Math.floor(rnd() * 4 * 86_400_000 / MIN) * MIN;
        const minutes = 1 + Math.floor(rnd() * 2_000);
        let cursor = start;
        let counted = 0;
        while (counted < minutes) {
          if (working(cursor)) counted++;
          cursor += MIN;
        }
        expect(iso(addBusinessMinutes(NY, start, minutes)), `start ${iso(start)} + ${minutes}`).toBe(iso(cursor));
      }
    }
  });
});

describe('errors', () => {
  it('refuses negative or non-finite amounts and a calendar that is never open', () => {
    expect(() => addBusinessMinutes(NY, 0, -1)).toThrow(RangeError);
    expect(() => addBusinessMs(NY, Number.NaN, 1)).toThrow(RangeError);
    const closed: Calendar = { mode: 'business_hours', timeZone: 'UTC', weeklyHours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, holidays: [] };
    expect(() => addBusinessMinutes(closed, 0, 1)).toThrow(/no working time/);
    expect(() => nextOpening(closed, 0)).toThrow(/no working time/);
    expect(businessMinutesBetween(closed, 0, 86_400_000)).toBe(0);
    expect(isWorkingTime(closed, 0)).toBe(false);
  });
});
