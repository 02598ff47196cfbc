import { describe, expect, it } from 'vitest';
import { isoToLocalInput, localInputToIso, statusPostProblem, suggestedNextUpdate } from './next-update.js';

describe('the next update time, in the viewer’s time zone', () => {
  it('reads a datetime-local value as local time and back', () => {
    const local = '2031-03-09T14:00';
    const iso = localInputToIso(local)!;
    expect(new Date(iso).getHours()).toBe(14);
    expect(isoToLocalInput(Date.parse(iso))).toBe(local);
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('tomorrow')).toBeNull();
  });

  it('suggests an hour ahead on a quarter hour', () => {
    const now = new Date(2031, 2, 9, 13, 7).getTime();
    expect(suggestedNextUpdate(now)).toBe('2031-03-09T14:15');
  });

  it('names what is wrong with a post', () => {
    const now = new Date(2031, 2, 9, 13, 0).getTime();
    expect(statusPostProblem('ok', '', now)).toMatch(/at least 3/);
    expect(statusPostProblem('EHR down', '2031-03-09T12:00', now)).toMatch(/future/);
    expect(statusPostProblem('EHR down', 'x', now)).toMatch(/not a date/);
    expect(statusPostProblem('EHR down', '2031-03-09T14:00', now)).toBeNull();
    expect(statusPostProblem('EHR down', '', now)).toBeNull();
  });
});
