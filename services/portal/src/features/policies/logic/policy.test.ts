import { describe, expect, it } from 'vitest';
import { describeStep, formatMinutes, issuesFor, locatePath, p1RuleIndex, type PolicyShape } from './policy.js';

const policy: PolicyShape = {
  calendars: { always: { mode: '24x7', timeZone: 'UTC' }, clinic: { mode: 'business_hours', timeZone: 'Europe/London' } },
  rules: [
    { priority: 'P1', categories: ['ehr'], calendar: 'clinic', responseTargetMinutes: 5, resolutionTargetMinutes: 60, levels: [] },
    {
      priority: 'P1',
      calendar: 'always',
      responseTargetMinutes: 15,
      resolutionTargetMinutes: 240,
      levels: [
        { after: { clock: 'response', minutes: 15 }, tier: 2, targets: [{ kind: 'team', teamId: 'it-tier2' }], channels: ['email'] },
        { after: { clock: 'resolution', minutes: 120 }, tier: 3, targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }, { kind: 'it_lead' }], channels: ['email', 'sms'], repeatEveryMinutes: 30, maxRepeats: 2 },
      ],
    },
  ],
};

describe('policy editor', () => {
  it('finds the general P1 rule for the P1 fields', () => {
    expect(p1RuleIndex(policy)).toBe(1);
    expect(p1RuleIndex({ rules: [policy.rules![0]!] })).toBe(0);
    expect(p1RuleIndex({ rules: [] })).toBe(-1);
  });

  it("puts the server's preview steps in words, saying how a level repeats", () => {
    const rule = policy.rules![1];
    expect(describeStep({ clock: 'response', kind: 'target' }, rule)).toBe('response target: it must be acknowledged by then');
    expect(describeStep({ clock: 'resolution', kind: 'warning', percent: 75 }, rule)).toBe('75% of the resolution target: the ticket is marked at risk');
    expect(describeStep({ clock: 'response', kind: 'level', level: 0, tier: 2, repeat: 0, targets: [{ kind: 'team', teamId: 'it-tier2' }], channels: ['email'] }, rule)).toBe(
      'unless acknowledged: tier 2 – team it-tier2 by email',
    );
    const tier3: Parameters<typeof describeStep>[0] = {
      clock: 'resolution',
      kind: 'level',
      level: 1,
      tier: 3,
      targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }, { kind: 'it_lead' }],
      channels: ['email', 'sms'],
    };
    expect(describeStep({ ...tier3, repeat: 0 }, rule)).toBe('unless resolved: tier 3 – vendor acme-it and the IT lead by email and SMS, repeated every 30 min up to 2 times');
    expect(describeStep({ ...tier3, repeat: 2 }, rule)).toBe('unless resolved: tier 3 – vendor acme-it and the IT lead by email and SMS, again (repeat 2 of 2)');
  });

  it('formats minutes and places issues', () => {
    expect([formatMinutes(15), formatMinutes(90), formatMinutes(1500)]).toEqual(['15 min', '1 h 30 min', '1 day 1 h']);
    const issues = [{ path: 'rules.1.responseTargetMinutes', message: 'too small' }, { path: 'rules.10.calendar', message: 'x' }];
    expect(issuesFor(issues, 'rules.1.responseTargetMinutes')).toHaveLength(1);
    expect(issuesFor(issues, 'rules.1')).toHaveLength(1);
    const text = JSON.stringify(policy, null, 2);
    expect(text.slice(locatePath(text, 'rules.1.levels.0.tier')).startsWith('"tier"')).toBe(true);
  });
});
