import { describe, expect, it } from 'vitest';
import { onCallAt, rotationShiftsBetween, rotationStartsAt, shiftsBetween, type OnCallOverride, type Rotation } from './index.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const brief = (shifts: { username: string; startsAtMs: number; endsAtMs: number; source?: string }[]) =>
  shifts.map((s) => [s.username, iso(s.startsAtMs), iso(s.endsAtMs), ...(s.source ? [s.source] : [])]);

const london: Rotation = {
  participants: ['ann', 'bob', 'cat'],
  handoffWeekday: 'mon',
  handoffTime: '09:00',
  lengthDays: 7,
  timeZone: 'Europe/London',
  // A Thursday: the first hand-off is the Monday after.
  startDate: '2026-03-12',
};

describe('rotationShiftsBetween', () => {
  it('hands over weekly in order from the first hand-off weekday on or after the start date', () => {
    expect(iso(rotationStartsAt(london))).toBe('2026-03-16T09:00:00.000Z');
    const shifts = rotationShiftsBetween(london, at('2026-03-01T00:00:00Z'), at('2026-03-20T00:00:00Z'));
    expect(brief(shifts)).toEqual([['ann', '2026-03-16T09:00:00.000Z', '2026-03-23T09:00:00.000Z', 'rotation']]);
  });

  it('keeps a 09:00 Europe/London hand-off at 09:00 local across the spring change (29 March 2026)', () => {
    const shifts = rotationShiftsBetween(london, at('2026-03-16T09:00:00Z'), at('2026-04-07T00:00:00Z'));
    expect(brief(shifts)).toEqual([
      ['ann', '2026-03-16T09:00:00.000Z', '2026-03-23T09:00:00.000Z', 'rotation'],
      // The week spanning the change is an hour shorter: 09:00 GMT to 09:00 BST.
      ['bob', '2026-03-23T09:00:00.000Z', '2026-03-30T08:00:00.000Z', 'rotation'],
      ['cat', '2026-03-30T08:00:00.000Z', '2026-04-06T08:00:00.000Z', 'rotation'],
      ['ann', '2026-04-06T08:00:00.000Z', '2026-04-13T08:00:00.000Z', 'rotation'],
    ]);
  });

  it('and across the autumn change (25 October 2026), where that week is an hour longer', () => {
    const shifts = rotationShiftsBetween(london, at('2026-10-20T00:00:00Z'), at('2026-10-27T00:00:00Z'));
    // 2026-03-16 + 31 weeks = 2026-10-19: shift 31, 31 mod 3 = 1 (bob); 09:00 BST to 09:00 GMT.
    expect(brief(shifts)).toEqual([
      ['bob', '2026-10-19T08:00:00.000Z', '2026-10-26T09:00:00.000Z', 'rotation'],
      ['cat', '2026-10-26T09:00:00.000Z', '2026-11-02T09:00:00.000Z', 'rotation'],
    ]);
  });

  it('returns nothing before the first hand-off and whole shifts around the range', () => {
    expect(rotationShiftsBetween(london, at('2026-03-01T00:00:00Z'), at('2026-03-16T08:59:59Z'))).toEqual([]);
    const daily: Rotation = { ...london, handoffWeekday: null, handoffTime: '18:30', lengthDays: 1, timeZone: 'America/New_York', startDate: '2026-11-01' };
    const shifts = rotationShiftsBetween(daily, at('2026-11-03T12:00:00Z'), at('2026-11-03T12:00:01Z'));
    // 2026-11-02 18:30 EST (the second shift, bob) to 2026-11-03 18:30 EST; the clocks changed on 1 November.
    expect(brief(shifts)).toEqual([['bob', '2026-11-02T23:30:00.000Z', '2026-11-03T23:30:00.000Z', 'rotation']]);
  });

  it('refuses a rotation without participants or with a length under a day', () => {
    expect(() => rotationShiftsBetween({ ...london, participants: [] }, 0, 1)).toThrow(/participant/);
    expect(() => rotationShiftsBetween({ ...london, lengthDays: 0 }, 0, 1)).toThrow(/lengthDays/);
  });
});

describe('shiftsBetween and onCallAt with overrides', () => {
  const override: OnCallOverride = { id: 'o1', username: 'dan', startsAtMs: at('2026-03-25T18:00:00Z'), endsAtMs: at('2026-03-26T18:00:00Z') };

  it('cuts the rotation shift around an override and lists the override in its place', () => {
    const shifts = shiftsBetween(london, [override], at('2026-03-23T09:00:00Z'), at('2026-03-30T08:00:00Z'));
    expect(brief(shifts)).toEqual([
      ['bob', '2026-03-23T09:00:00.000Z', '2026-03-25T18:00:00.000Z', 'rotation'],
      ['dan', '2026-03-25T18:00:00.000Z', '2026-03-26T18:00:00.000Z', 'override'],
      ['bob', '2026-03-26T18:00:00.000Z', '2026-03-30T08:00:00.000Z', 'rotation'],
    ]);
    expect(shifts[1]!.overrideId).toBe('o1');
  });

  it('answers who is on call at an instant: the override within its span, the rotation outside it', () => {
    expect(onCallAt(london, [override], at('2026-03-25T17:59:59Z'))?.username).toBe('bob');
    expect(onCallAt(london, [override], at('2026-03-25T18:00:00Z'))).toMatchObject({ username: 'dan', source: 'override' });
    expect(onCallAt(london, [override], at('2026-03-26T17:59:59Z'))?.username).toBe('dan');
    expect(onCallAt(london, [override], at('2026-03-26T18:00:00Z'))?.username).toBe('bob');
    expect(onCallAt(london, [override], at('2026-03-30T08:00:00Z'))?.username).toBe('cat');
  });

  it('works with overrides only (no rotation), as one-off shifts always have', () => {
    expect(onCallAt(null, [override], at('2026-03-26T00:00:00Z'))?.username).toBe('dan');
    expect(onCallAt(null, [override], at('2026-03-27T00:00:00Z'))).toBeNull();
    expect(onCallAt(london, [], at('2026-03-01T00:00:00Z'))).toBeNull();
  });

  it('an override covering a whole shift and beyond leaves nothing of it', () => {
    const long: OnCallOverride = { id: 'o2', username: 'eve', startsAtMs: at('2026-03-22T00:00:00Z'), endsAtMs: at('2026-03-31T00:00:00Z') };
    const shifts = shiftsBetween(london, [long], at('2026-03-23T09:00:00Z'), at('2026-03-30T09:00:00Z'));
    expect(brief(shifts)).toEqual([['eve', '2026-03-22T00:00:00.000Z', '2026-03-31T00:00:00.000Z', 'override']]);
  });
});
