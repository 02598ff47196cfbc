import { describe, expect, it } from 'vitest';
import { AUTO_CLOSE_MAX_DAYS, AUTO_CLOSE_MIN_DAYS, DUPLICATES_MAX_WINDOW_MINUTES, DUPLICATES_MIN_WINDOW_MINUTES, EscalationPolicySchema, type EscalationPolicy, type PolicyRule } from '@tierline/contracts';
import { DEFAULT_AUTO_CLOSE_AFTER_DAYS, MAX_AUTO_CLOSE_DAYS, MIN_AUTO_CLOSE_DAYS, autoCloseAfterDays, autoCloseAt } from './auto-close.js';
import { DEFAULT_POLICY, TEST_FAST_POLICY } from './defaults.js';
import { DEFAULT_DUPLICATES_WINDOW_MINUTES, MAX_DUPLICATES_WINDOW_MINUTES, MIN_DUPLICATES_WINDOW_MINUTES, duplicatesSettings } from './duplicates.js';
import { priorityFor, ruleFor, validatePolicy } from './validate.js';

/** A deep copy of the default policy to break in one place. */
const base = (): EscalationPolicy => structuredClone(DEFAULT_POLICY);
const rule = (p: EscalationPolicy, i: number): PolicyRule => p.rules[i]!;

/** Asserts the policy is refused with an issue at exactly `path` whose message matches. */
function expectIssue(p: EscalationPolicy, path: string, message: RegExp): void {
  const issues = validatePolicy(p);
  expect(issues, JSON.stringify(issues, null, 2)).toContainEqual({ path, message: expect.stringMatching(message) });
}

describe('built-in policies', () => {
  it.each([
    ['DEFAULT_POLICY', DEFAULT_POLICY],
    ['TEST_FAST_POLICY', TEST_FAST_POLICY],
  ])('%s passes validatePolicy and the zod schema unchanged', (_name, policy) => {
    expect(validatePolicy(policy)).toEqual([]);
    expect(EscalationPolicySchema.parse(policy)).toEqual(policy);
  });

  it('TEST_FAST_POLICY escalates P1 to tier 2 after 1 min and tier 3 after 2 min', () => {
    const levels = ruleFor(TEST_FAST_POLICY, 'P1', 'network')!.levels;
    expect(levels.map((l) => [l.after.minutes, l.tier])).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });
});

describe('validatePolicy refuses, naming the field', () => {
  it('an unknown time zone', () => {
    const p = base();
    p.calendars['clinic-hours']!.timeZone = 'America/Gotham';
    expectIssue(p, 'calendars.clinic-hours.timeZone', /unknown time zone "America\/Gotham"/);
  });

  it('a business_hours calendar without any working hours', () => {
    const p = base();
    const cal = p.calendars['clinic-hours']!;
    if (cal.mode !== 'business_hours') throw new Error('fixture');
    cal.weeklyHours = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    expectIssue(p, 'calendars.clinic-hours.weeklyHours', /needs working hours on at least one weekday/);
  });

  it('inverted, empty and malformed intervals', () => {
    const p = base();
    const cal = p.calendars['clinic-hours']!;
    if (cal.mode !== 'business_hours') throw new Error('fixture');
    cal.weeklyHours.mon = [{ start: '18:00', end: '08:00' }];
    cal.weeklyHours.tue = [{ start: '09:00', end: '09:00' }];
    cal.weeklyHours.wed = [{ start: '8:00', end: '25:00' }];
    cal.weeklyHours.thu = [{ start: '24:00', end: '24:00' }];
    expectIssue(p, 'calendars.clinic-hours.weeklyHours.mon.0.end', /inverted or empty: end must be after start/);
    expectIssue(p, 'calendars.clinic-hours.weeklyHours.tue.0.end', /inverted or empty/);
    expectIssue(p, 'calendars.clinic-hours.weeklyHours.wed.0.start', /"HH:MM"/);
    expectIssue(p, 'calendars.clinic-hours.weeklyHours.wed.0.end', /"HH:MM"/);
    expectIssue(p, 'calendars.clinic-hours.weeklyHours.thu.0.start', /00:00 to 23:59/);
  });

  it('overlapping intervals, but not touching ones', () => {
    const p = base();
    const cal = p.calendars['clinic-hours']!;
    if (cal.mode !== 'business_hours') throw new Error('fixture');
    cal.weeklyHours.mon = [
      { start: '13:00', end: '18:00' },
      { start: '08:00', end: '13:30' },
    ];
    cal.weeklyHours.tue = [
      { start: '08:00', end: '12:00' },
      { start: '12:00', end: '18:00' },
    ];
    expectIssue(p, 'calendars.clinic-hours.weeklyHours.mon.1', /08:00–13:30 overlaps calendars.clinic-hours.weeklyHours.mon.0 \(13:00–18:00\)/);
    expect(validatePolicy(p).filter((i) => i.path.includes('.tue'))).toEqual([]);
  });

  it('a holiday that is not a real date', () => {
    const p = base();
    const cal = p.calendars['clinic-hours']!;
    if (cal.mode !== 'business_hours') throw new Error('fixture');
    cal.holidays = ['2026-02-30'];
    expectIssue(p, 'calendars.clinic-hours.holidays.0', /real date/);
  });

  it('a rule or a vendor contract referencing an unknown calendar', () => {
    const p = base();
    rule(p, 3).calendar = 'weekends';
    rule(p, 0).vendorContract!.calendar = 'acme-247';
    expectIssue(p, 'rules.3.calendar', /unknown calendar "weekends"; defined: always, clinic-hours, acme-support/);
    expectIssue(p, 'rules.0.vendorContract.calendar', /unknown calendar "acme-247"/);
  });

  it('a level after the resolution target (on either clock); at the target is allowed', () => {
    const p = base();
    rule(p, 0).levels[1]!.after.minutes = 241; // P1 resolution target 240
    expectIssue(p, 'rules.0.levels.1.after.minutes', /a level after the resolution target: fires at 241 min on the resolution clock, but the resolution target is 240 min/);
    const q = base();
    rule(q, 4).levels[0]!.after.minutes = 4801; // P4 response-clock level, resolution target 4800
    expectIssue(q, 'rules.4.levels.0.after.minutes', /a level after the resolution target/);
    const ok = base();
    rule(ok, 0).levels[1]!.after.minutes = 240;
    expect(validatePolicy(ok)).toEqual([]);
  });

  it('levels of one clock out of order, or stepping down a tier', () => {
    const p = base();
    p.rules[0]!.levels = [
      { after: { clock: 'response', minutes: 15 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['sms'] },
      { after: { clock: 'resolution', minutes: 5 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['sms'] }, // other clock: fine
      { after: { clock: 'response', minutes: 15 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['sms'] },
      { after: { clock: 'response', minutes: 30 }, tier: 1, targets: [{ kind: 'team', teamId: 'helpdesk' }], channels: ['sms'] },
    ];
    expectIssue(p, 'rules.0.levels.2.after.minutes', /strictly increasing minutes: 15 min does not come after rules.0.levels.0 \(15 min\)/);
    expectIssue(p, 'rules.0.levels.3.tier', /tier 1 is lower than tier 2 .*never steps down a tier/);
    expect(validatePolicy(p).filter((i) => i.path.startsWith('rules.0.levels.1'))).toEqual([]);
  });

  it('warnings outside (0, 100) or not increasing', () => {
    const p = base();
    rule(p, 0).warnings = [0, 90, 75, 100];
    expectIssue(p, 'rules.0.warnings.0', /strictly between 0 and 100, got 0/);
    expectIssue(p, 'rules.0.warnings.2', /strictly increasing \(90 then 75\)/);
    expectIssue(p, 'rules.0.warnings.3', /strictly between 0 and 100, got 100/);
  });

  it('a response target after the resolution target (rule and vendor contract)', () => {
    const p = base();
    rule(p, 0).responseTargetMinutes = 300;
    rule(p, 2).vendorContract!.responseTargetMinutes = 1000;
    expectIssue(p, 'rules.0.responseTargetMinutes', /response target \(300 min\) is after the resolution target \(240 min\)/);
    expectIssue(p, 'rules.2.vendorContract.responseTargetMinutes', /vendor response target \(1000 min\)/);
  });

  it('a priority without a default rule', () => {
    const p = base();
    p.rules = p.rules.filter((r) => r.priority !== 'P3');
    expectIssue(p, 'rules', /no default rule for P3/);
    const q = base();
    rule(q, 4).categories = ['printer_scanner']; // the only P4 rule becomes narrowed
    expectIssue(q, 'rules', /no default rule for P4/);
  });

  it('duplicate rules for the same priority and category, and a second default', () => {
    const p = base();
    p.rules.push({ ...structuredClone(rule(p, 1)), categories: ['ehr', 'medical_device'] }); // rules.5, P1
    p.rules.push(structuredClone(rule(p, 3))); // rules.6, second P3 default
    expectIssue(p, 'rules.5.categories.1', /duplicate rule: P1 with category "medical_device" is already covered by rules.1/);
    expectIssue(p, 'rules.6', /a second default rule for P3 \(rules.3 is already the default/);
    const q = base();
    rule(q, 1).categories = ['medical_device', 'medical_device'];
    expectIssue(q, 'rules.1.categories.1', /listed twice/);
    const r = base();
    rule(r, 1).categories = [];
    expectIssue(r, 'rules.1.categories', /empty category list/);
  });

  it('repeatEveryMinutes without maxRepeats, and the reverse', () => {
    const p = base();
    delete rule(p, 0).levels[0]!.maxRepeats;
    delete rule(p, 0).levels[1]!.repeatEveryMinutes;
    expectIssue(p, 'rules.0.levels.0.maxRepeats', /maxRepeats is required with repeatEveryMinutes/);
    expectIssue(p, 'rules.0.levels.1.repeatEveryMinutes', /repeatEveryMinutes is required with maxRepeats/);
  });

  it('a vendor target below tier 3, or without a matching vendor contract', () => {
    const p = base();
    rule(p, 0).levels[1]!.tier = 2;
    rule(p, 2).levels[1]!.targets = [{ kind: 'vendor', vendorOrgId: 'other-vendor' }];
    rule(p, 3).levels = [{ after: { clock: 'resolution', minutes: 600 }, tier: 3, targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }], channels: ['email'] }];
    expectIssue(p, 'rules.0.levels.1.targets.0', /a vendor target belongs on a tier 3 level .* not tier 2/);
    expectIssue(p, 'rules.2.levels.1.targets.0.vendorOrgId', /"other-vendor" differs from the rule's vendorContract \("acme-it"\)/);
    expectIssue(p, 'rules.3.levels.0.targets.0.vendorOrgId', /the rule has no vendorContract/);
  });

  it('a level without targets or channels, a rule without levels, a duplicate channel', () => {
    const p = base();
    rule(p, 0).levels[0]!.targets = [];
    rule(p, 0).levels[0]!.channels = ['sms', 'email', 'sms'];
    rule(p, 2).levels[0]!.channels = [];
    rule(p, 3).levels = [];
    expectIssue(p, 'rules.0.levels.0.targets', /at least one target/);
    expectIssue(p, 'rules.0.levels.0.channels.2', /"sms" is listed twice/);
    expectIssue(p, 'rules.2.levels.0.channels', /at least one channel/);
    expectIssue(p, 'rules.3.levels', /at least one escalation level/);
  });

  it('non-integer or non-positive minutes', () => {
    const p = base();
    rule(p, 0).resolutionTargetMinutes = 0;
    rule(p, 2).levels[0]!.after.minutes = 1.5;
    rule(p, 2).levels[0]!.repeatEveryMinutes = -5;
    expectIssue(p, 'rules.0.resolutionTargetMinutes', /positive whole number/);
    expectIssue(p, 'rules.2.levels.0.after.minutes', /non-negative whole number/);
    expectIssue(p, 'rules.2.levels.0.repeatEveryMinutes', /positive whole number/);
  });

  it('a non-monotonic or incomplete priority matrix', () => {
    const p = base();
    p.priorityMatrix.matrix.whole_site.high = 'P3'; // lower than department.high (P2) and whole_site.medium (P2)
    expectIssue(p, 'priorityMatrix.matrix.whole_site.high', /P3 is less urgent than department.high \(P2\); raising impact must never lower the priority/);
    expectIssue(p, 'priorityMatrix.matrix.whole_site.high', /P3 is less urgent than whole_site.medium \(P2\); raising urgency/);
    const q = base();
    (q.priorityMatrix.matrix.one_user as Record<string, string>).low = 'P5';
    expectIssue(q, 'priorityMatrix.matrix.one_user.low', /needs a priority P1–P4/);
  });

  it('reports every problem at once', () => {
    const p = base();
    p.calendars['clinic-hours']!.timeZone = 'Nowhere/Land';
    rule(p, 0).warnings = [120];
    rule(p, 4).calendar = 'missing';
    expect(validatePolicy(p).map((i) => i.path)).toEqual(['calendars.clinic-hours.timeZone', 'rules.0.warnings.0', 'rules.4.calendar']);
  });
});

describe('ruleFor and priorityFor', () => {
  it('picks the most specific rule, else the priority default', () => {
    expect(ruleFor(DEFAULT_POLICY, 'P1', 'medical_device')).toBe(DEFAULT_POLICY.rules[1]);
    expect(ruleFor(DEFAULT_POLICY, 'P1', 'network')).toBe(DEFAULT_POLICY.rules[0]);
    expect(ruleFor(DEFAULT_POLICY, 'P1')).toBe(DEFAULT_POLICY.rules[0]);
    expect(ruleFor(DEFAULT_POLICY, 'P2', 'medical_device')).toBe(DEFAULT_POLICY.rules[2]);
    const p = base();
    p.rules.push({ ...structuredClone(rule(p, 1)), categories: ['ehr', 'network', 'phone'] });
    p.rules.push({ ...structuredClone(rule(p, 1)), categories: ['network'] });
    expect(ruleFor(p, 'P1', 'network')).toBe(p.rules[6]); // fewer categories = more specific
    expect(ruleFor({ ...p, rules: [] }, 'P1')).toBeUndefined();
  });

  it('computes the priority from the matrix, raised one step for patient care', () => {
    expect(priorityFor(DEFAULT_POLICY, 'department', 'medium', false)).toBe('P3');
    expect(priorityFor(DEFAULT_POLICY, 'department', 'medium', true)).toBe('P2');
    expect(priorityFor(DEFAULT_POLICY, 'whole_site', 'high', true)).toBe('P1');
    const flat = { ...DEFAULT_POLICY, priorityMatrix: { ...DEFAULT_POLICY.priorityMatrix, patientCareRaisesBy: 0 as const } };
    expect(priorityFor(flat, 'one_user', 'low', true)).toBe('P4');
  });
});

describe('autoCloseAfterDays (V17, decision 38)', () => {
  const withDays = (days: unknown): EscalationPolicy => ({ ...base(), autoCloseAfterDays: days as number });

  it('accepts whole days from 1 to 30, and its absence', () => {
    for (const days of [MIN_AUTO_CLOSE_DAYS, 5, MAX_AUTO_CLOSE_DAYS]) expect(validatePolicy(withDays(days)), String(days)).toEqual([]);
    const { autoCloseAfterDays: _, ...without } = base();
    expect(validatePolicy(without)).toEqual([]);
  });

  it.each([0, -1, 31, 2.5, '5', null])('refuses %j naming the field and the range', (days) => {
    expectIssue(withDays(days), 'autoCloseAfterDays', /whole number of days from 1 to 30/);
  });

  it('agrees with the zod schema, whose messages say the same (the policy editor shows them)', () => {
    expect([MIN_AUTO_CLOSE_DAYS, MAX_AUTO_CLOSE_DAYS]).toEqual([AUTO_CLOSE_MIN_DAYS, AUTO_CLOSE_MAX_DAYS]);
    const problems = (days: unknown) => {
      const r = EscalationPolicySchema.safeParse(withDays(days));
      return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
    };
    expect(problems(5)).toEqual([]);
    expect(problems(0)).toEqual([['autoCloseAfterDays', expect.stringMatching(/at least 1 day/)]]);
    expect(problems(31)).toEqual([['autoCloseAfterDays', expect.stringMatching(/at most 30 days/)]]);
    expect(problems(2.5)).toEqual([['autoCloseAfterDays', expect.stringMatching(/whole number of days/)]]);
    expect(problems('5')).toEqual([['autoCloseAfterDays', expect.stringMatching(/whole number of days/)]]);
  });

  it('gives the version’s days, else the default; the close falls that many 24-hour days after the resolution', () => {
    expect(DEFAULT_POLICY.autoCloseAfterDays).toBe(5);
    expect(autoCloseAfterDays({ autoCloseAfterDays: 2 })).toBe(2);
    expect(autoCloseAfterDays({})).toBe(DEFAULT_AUTO_CLOSE_AFTER_DAYS);
    // Across the spring daylight-saving change in New York: still 3 × 24 h, not calendar days.
    const resolved = Date.parse('2026-03-07T15:00:00Z');
    expect(new Date(autoCloseAt(resolved, { autoCloseAfterDays: 3 })).toISOString()).toBe('2026-03-10T15:00:00.000Z');
  });
});

describe('duplicates (V18, decision 42)', () => {
  const withDuplicates = (duplicates: unknown): EscalationPolicy => ({ ...base(), duplicates: duplicates as EscalationPolicy['duplicates'] });

  it('accepts a window of 5 to 1440 whole minutes with autoLink true or false, and its absence', () => {
    for (const windowMinutes of [MIN_DUPLICATES_WINDOW_MINUTES, 120, MAX_DUPLICATES_WINDOW_MINUTES]) {
      for (const autoLink of [true, false]) expect(validatePolicy(withDuplicates({ windowMinutes, autoLink })), `${windowMinutes}/${autoLink}`).toEqual([]);
    }
    const { duplicates: _, ...without } = base();
    expect(validatePolicy(without)).toEqual([]);
  });

  it.each([0, 4, 1441, 30.5, '120', null])('refuses the window %j naming the field and the range', (windowMinutes) => {
    expectIssue(withDuplicates({ windowMinutes, autoLink: false }), 'duplicates.windowMinutes', /whole number of minutes from 5 to 1440/);
  });

  it.each(['yes', 1, null, undefined])('refuses autoLink %j naming the field', (autoLink) => {
    expectIssue(withDuplicates({ windowMinutes: 120, autoLink }), 'duplicates.autoLink', /must be true or false/);
  });

  it('agrees with the zod schema, whose messages say the same (the policy editor shows them)', () => {
    expect([MIN_DUPLICATES_WINDOW_MINUTES, MAX_DUPLICATES_WINDOW_MINUTES]).toEqual([DUPLICATES_MIN_WINDOW_MINUTES, DUPLICATES_MAX_WINDOW_MINUTES]);
    const problems = (duplicates: unknown) => {
      const r = EscalationPolicySchema.safeParse(withDuplicates(duplicates));
      return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
    };
    expect(problems({ windowMinutes: 120, autoLink: true })).toEqual([]);
    expect(problems({ windowMinutes: 4, autoLink: false })).toEqual([['duplicates.windowMinutes', expect.stringMatching(/at least 5 minutes/)]]);
    expect(problems({ windowMinutes: 1441, autoLink: false })).toEqual([['duplicates.windowMinutes', expect.stringMatching(/at most 1440 minutes/)]]);
    expect(problems({ windowMinutes: 2.5, autoLink: false })).toEqual([['duplicates.windowMinutes', expect.stringMatching(/whole number of minutes/)]]);
    expect(problems({ windowMinutes: 120, autoLink: 'yes' })).toEqual([['duplicates.autoLink', expect.stringMatching(/true or false/)]]);
    expect(problems({ windowMinutes: 120, autoLink: false, extra: 1 })).toEqual([['duplicates', expect.stringMatching(/extra/)]]);
  });

  it('gives the version’s settings, else 120 minutes and no automatic linking', () => {
    expect(DEFAULT_POLICY.duplicates).toEqual({ windowMinutes: DEFAULT_DUPLICATES_WINDOW_MINUTES, autoLink: false });
    expect(duplicatesSettings({})).toEqual({ windowMinutes: 120, autoLink: false });
    expect(duplicatesSettings({ duplicates: { windowMinutes: 30, autoLink: true } })).toEqual({ windowMinutes: 30, autoLink: true });
  });
});
