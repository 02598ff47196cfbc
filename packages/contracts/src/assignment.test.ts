import { describe, expect, it } from 'vitest';
import { AssignmentRulesInputSchema, MemberBodySchema, OnCallShiftBodySchema, RotationBodySchema } from './assignment.js';
import { trimmedText } from './text.js';

const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('trimmedText', () => {
  it('trims, then counts what is left; blank text is refused', () => {
    expect(trimmedText(3, 10).parse('  abc  ')).toBe('abc');
    expect(trimmedText(3, 10).safeParse(' ab ').success).toBe(false);
    expect(trimmedText(1, 10).safeParse('   ').success).toBe(false);
    expect(trimmedText(1, 3).safeParse('abcd').success).toBe(false);
  });
});

describe('assignment bodies', () => {
  it('a member: display name trimmed, skills and availability defaulted, a repeated skill refused', () => {
    expect(MemberBodySchema.parse({ displayName: ' Alex Agent ' })).toEqual({ displayName: 'Alex Agent', skills: [], available: true });
    expect(issues(MemberBodySchema.safeParse({ displayName: 'A', skills: ['ehr', 'ehr', 'No'] }))).toEqual([
      'skills.2: must be lower-case letters, digits, "-" or "_", starting with a letter',
      'skills: must not repeat a skill',
    ]);
    expect(MemberBodySchema.safeParse({ displayName: 'A', extra: 1 }).success, 'strict').toBe(false);
  });

  it('rules: "any" is null by default, team ids checked', () => {
    expect(AssignmentRulesInputSchema.parse({ rules: [{ teamId: 'it-tier1' }] })).toEqual({
      rules: [{ category: null, siteId: null, teamId: 'it-tier1', requiredSkills: [], escalationTeamId: null }],
    });
    expect(issues(AssignmentRulesInputSchema.safeParse({ rules: [{ teamId: 'IT 1' }] }))).toEqual(['rules.0.teamId: must be lower-case letters, digits, "-" or "_", starting with a letter']);
  });

  it('an on-call shift ends after it starts and lasts at most 31 days', () => {
    const shift = { username: 'alex.agent', startsAt: '2026-03-04T23:00:00Z' };
    expect(OnCallShiftBodySchema.safeParse({ ...shift, endsAt: '2026-03-05T07:00:00Z' }).success).toBe(true);
    expect(issues(OnCallShiftBodySchema.safeParse({ ...shift, endsAt: shift.startsAt }))).toEqual(['endsAt: must be after startsAt']);
    expect(issues(OnCallShiftBodySchema.safeParse({ ...shift, endsAt: '2026-04-05T00:00:00Z' }))).toEqual(['endsAt: a shift lasts at most 31 days']);
  });
});

describe('rotation body', () => {
  const ok = { participants: ['alex.agent', 'lee.lead'], handoffWeekday: 'mon', handoffTime: '09:00', lengthDays: 7, timeZone: 'Europe/London', startDate: '2026-03-16' };

  it('takes a weekly rotation and defaults the hand-off weekday to none', () => {
    expect(RotationBodySchema.parse(ok)).toEqual(ok);
    const { handoffWeekday: _, ...noWeekday } = ok;
    expect(RotationBodySchema.parse(noWeekday).handoffWeekday).toBeNull();
  });

  it('names each wrong field', () => {
    expect(
      issues(RotationBodySchema.safeParse({ ...ok, participants: ['a', 'a'], handoffWeekday: 'monday', handoffTime: '24:00', lengthDays: 0, startDate: '2026-02-30' })).map((i) =>
        i.split(':')[0],
      ),
    ).toEqual(['participants', 'handoffWeekday', 'handoffTime', 'lengthDays', 'startDate']);
    expect(issues(RotationBodySchema.safeParse({ ...ok, participants: [] }))).toEqual(['participants: needs at least one person']);
  });
});
