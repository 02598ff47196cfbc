import { describe, expect, it } from 'vitest';
import {
  chooseAssignee,
  isTeamWorkingTime,
  matchRule,
  needsOnCall,
  rangesOverlap,
  shiftAt,
  teamCalendar,
  type AssignmentRule,
  type CandidateMember,
  type TeamHours,
} from './index.js';

const rule = (position: number, category: string | null, siteId: string | null, teamId = `team-${position}`): AssignmentRule => ({
  position,
  category,
  siteId,
  teamId,
  requiredSkills: [],
  escalationTeamId: null,
});

describe('matchRule', () => {
  const rules = [rule(0, null, null, 'default'), rule(1, 'ehr', null, 'ehr'), rule(2, 'ehr', 'north', 'ehr-north'), rule(3, null, 'south', 'south')];

  it('prefers the rule naming both category and site', () => {
    expect(matchRule(rules, { category: 'ehr', siteId: 'north' })?.teamId).toBe('ehr-north');
  });

  it('falls back to a category-only rule, then to the catch-all, wherever the catch-all sits', () => {
    expect(matchRule(rules, { category: 'ehr', siteId: 'east' })?.teamId).toBe('ehr');
    expect(matchRule(rules, { category: 'printer_scanner', siteId: 'east' })?.teamId).toBe('default');
  });

  it('settles equally specific rules by position', () => {
    // ehr at south: the category-only rule (1) and the site-only rule (3) are equally specific.
    expect(matchRule(rules, { category: 'ehr', siteId: 'south' })?.teamId).toBe('ehr');
    const reordered = [rule(0, null, 'south', 'south'), rule(1, 'ehr', null, 'ehr')];
    expect(matchRule(reordered, { category: 'ehr', siteId: 'south' })?.teamId).toBe('south');
  });

  it('does not depend on the order of the array, only on position', () => {
    expect(matchRule([...rules].reverse(), { category: 'ehr', siteId: 'south' })?.teamId).toBe('ehr');
  });

  it('returns null when nothing matches', () => {
    expect(matchRule([rule(0, 'ehr', null)], { category: 'network', siteId: 'north' })).toBeNull();
    expect(matchRule([], { category: 'network', siteId: 'north' })).toBeNull();
  });
});

describe('chooseAssignee', () => {
  const m = (username: string, skills: string[] = [], available = true): CandidateMember => ({ username, skills, available });
  const team = [m('ann', ['ehr']), m('bob', ['ehr', 'network']), m('cy', ['network'])];

  it('picks the member with the fewest open tickets', () => {
    const got = chooseAssignee(team, { requiredSkills: [], openCounts: { ann: 3, bob: 1, cy: 2 }, lastAssignedAt: {} });
    expect(got?.username).toBe('bob');
  });

  it('only considers members holding every required skill', () => {
    const got = chooseAssignee(team, { requiredSkills: ['ehr', 'network'], openCounts: { bob: 9 }, lastAssignedAt: {} });
    expect(got?.username).toBe('bob');
    expect(chooseAssignee(team, { requiredSkills: ['ehr'], openCounts: { ann: 5, bob: 2 }, lastAssignedAt: {} })?.username).toBe('bob');
  });

  it('skips unavailable members', () => {
    const got = chooseAssignee([m('ann', [], false), m('bob')], { requiredSkills: [], openCounts: { bob: 7 }, lastAssignedAt: {} });
    expect(got?.username).toBe('bob');
  });

  it('breaks a tie on load by the longest-ago assignment (never assigned first), then by username', () => {
    const opts = { requiredSkills: [], openCounts: { ann: 1, bob: 1, cy: 1 } };
    expect(chooseAssignee(team, { ...opts, lastAssignedAt: { ann: 300, bob: 100, cy: 200 } })?.username).toBe('bob');
    expect(chooseAssignee(team, { ...opts, lastAssignedAt: { ann: 300, bob: 100 } })?.username).toBe('cy');
    expect(chooseAssignee(team, { ...opts, lastAssignedAt: {} })?.username).toBe('ann');
  });

  it('rotates round-robin when load stays equal', () => {
    const last: Record<string, number> = {};
    const picked: string[] = [];
    for (let t = 1; t <= 6; t++) {
      const got = chooseAssignee(team, { requiredSkills: [], openCounts: {}, lastAssignedAt: last })!;
      picked.push(got.username);
      last[got.username] = t;
    }
    expect(picked).toEqual(['ann', 'bob', 'cy', 'ann', 'bob', 'cy']);
  });

  it('returns null when nobody qualifies', () => {
    expect(chooseAssignee(team, { requiredSkills: ['printer_scanner'], openCounts: {}, lastAssignedAt: {} })).toBeNull();
    expect(chooseAssignee([], { requiredSkills: [], openCounts: {}, lastAssignedAt: {} })).toBeNull();
  });
});

describe('team hours', () => {
  const nineToFive = [{ start: '09:00', end: '17:00' }];
  const team: TeamHours = { timeZone: 'America/New_York', weeklyHours: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive } };
  // 2026-03-04 is a Wednesday; New York is UTC−5 then.
  const wed10 = Date.parse('2026-03-04T15:00:00Z');
  const wed20 = Date.parse('2026-03-05T01:00:00Z');
  const sat10 = Date.parse('2026-03-07T15:00:00Z');

  it('is working time inside the hours of the team time zone only', () => {
    expect(isTeamWorkingTime(team, wed10)).toBe(true);
    expect(isTeamWorkingTime(team, wed20)).toBe(false);
    expect(isTeamWorkingTime(team, sat10)).toBe(false);
    expect(isTeamWorkingTime({ ...team, timeZone: 'Europe/Berlin' }, wed10)).toBe(true); // 16:00 in Berlin
    expect(isTeamWorkingTime({ ...team, timeZone: 'Europe/Berlin' }, Date.parse('2026-03-04T17:30:00Z'))).toBe(false);
  });

  it('treats missing days as closed', () => {
    expect(teamCalendar(team).weeklyHours.sat).toEqual([]);
    expect(isTeamWorkingTime({ timeZone: 'UTC', weeklyHours: {} }, wed10)).toBe(false);
  });

  it('sends only P1/P2 to on-call, and only out of hours', () => {
    expect(needsOnCall('P1', team, wed20)).toBe(true);
    expect(needsOnCall('P2', team, sat10)).toBe(true);
    expect(needsOnCall('P1', team, wed10)).toBe(false);
    expect(needsOnCall('P3', team, wed20)).toBe(false);
  });
});

describe('shifts', () => {
  const shifts = [
    { username: 'ann', startsAtMs: 0, endsAtMs: 100 },
    { username: 'bob', startsAtMs: 100, endsAtMs: 200 },
  ];

  it('finds the shift covering an instant, start inclusive and end exclusive', () => {
    expect(shiftAt(shifts, 0)?.username).toBe('ann');
    expect(shiftAt(shifts, 99)?.username).toBe('ann');
    expect(shiftAt(shifts, 100)?.username).toBe('bob');
    expect(shiftAt(shifts, 200)).toBeNull();
  });

  it('treats back-to-back shifts as not overlapping', () => {
    expect(rangesOverlap(0, 100, 100, 200)).toBe(false);
    expect(rangesOverlap(0, 101, 100, 200)).toBe(true);
    expect(rangesOverlap(50, 60, 0, 100)).toBe(true);
  });
});
