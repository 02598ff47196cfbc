import { describe, expect, it } from 'vitest';
import { defaultShift, fromLocalInput, moveRule, otherIssues, parseSkills, ruleIssues, toDrafts, toLocalInput, toRulesBody, type AssignmentRule } from './assignment.js';

const rules: AssignmentRule[] = [
  { position: 1, category: null, siteId: null, teamId: 'it-tier1', requiredSkills: [], escalationTeamId: null },
  { position: 0, category: 'ehr', siteId: 'north', teamId: 'it-tier1', requiredSkills: ['ehr', 'network'], escalationTeamId: 'it-tier2' },
];

describe('assignment rules form', () => {
  it('orders drafts by position and turns them back into the PUT body unchanged', () => {
    const drafts = toDrafts(rules);
    expect(drafts.map((d) => d.category)).toEqual(['ehr', '']);
    expect(drafts[0]?.skills).toBe('ehr, network');
    expect(new Set(drafts.map((d) => d.key)).size, 'each draft has its own key').toBe(2);
    expect(toRulesBody(drafts)).toEqual({
      rules: [
        { category: 'ehr', siteId: 'north', teamId: 'it-tier1', requiredSkills: ['ehr', 'network'], escalationTeamId: 'it-tier2' },
        { category: null, siteId: null, teamId: 'it-tier1', requiredSkills: [], escalationTeamId: null },
      ],
    });
  });

  it('reads skills as a comma list, trimmed and lower-cased, ignoring empty entries', () => {
    expect(parseSkills(' EHR, network ,, ')).toEqual(['ehr', 'network']);
    expect(parseSkills('')).toEqual([]);
  });

  it('moves a rule up or down and leaves the list alone at the ends', () => {
    expect(moveRule(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveRule(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveRule(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveRule(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });

  it('puts each server issue next to its field, and the rest in the summary', () => {
    const issues = [
      { path: 'rules.0.teamId', message: 'no team x' },
      { path: 'rules.0.requiredSkills.1', message: 'bad skill' },
      { path: 'rules.1', message: 'same category and site as rules.0' },
      { path: 'rules', message: 'too many' },
      { path: 'rules.7.teamId', message: 'a rule no longer shown' },
    ];
    expect(ruleIssues(issues, 0, 'teamId')).toEqual(['no team x']);
    expect(ruleIssues(issues, 0, 'requiredSkills')).toEqual(['bad skill']);
    expect(ruleIssues(issues, 0, 'team')).toEqual([]);
    expect(ruleIssues(issues, 1, null)).toEqual(['same category and site as rules.0']);
    expect(otherIssues(issues, 2).map((i) => i.path)).toEqual(['rules', 'rules.7.teamId']);
  });
});

describe('on-call shift times', () => {
  it('round-trips a local date-time and refuses what is not one', () => {
    const d = new Date(2026, 2, 4, 23, 5);
    expect(toLocalInput(d)).toBe('2026-03-04T23:05');
    expect(fromLocalInput('2026-03-04T23:05')).toBe(d.toISOString());
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('tomorrow')).toBeNull();
  });

  it('proposes a shift from the next full hour, eight hours long', () => {
    const s = defaultShift(new Date(2026, 2, 4, 9, 41));
    expect(s).toEqual({ start: '2026-03-04T10:00', end: '2026-03-04T18:00' });
  });
});
