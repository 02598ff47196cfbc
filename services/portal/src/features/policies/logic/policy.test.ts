import { describe, expect, it } from 'vitest';
import { formatMinutes, issuesFor, locatePath, previewP1, type PolicyShape } from './policy.js';

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

describe('policy preview', () => {
  const now = new Date('2026-03-02T10:00:00Z');

  it('uses the general P1 rule and gives each step its wall-clock time on a 24x7 calendar', () => {
    const p = previewP1(policy, now);
    if ('problem' in p) throw new Error(p.problem);
    expect(p.ruleIndex).toBe(1);
    expect(p.businessHours).toBe(false);
    expect(p.steps.map((s) => [s.minutes, s.at?.toISOString()])).toEqual([
      [15, '2026-03-02T10:15:00.000Z'],
      [15, '2026-03-02T10:15:00.000Z'],
      [120, '2026-03-02T12:00:00.000Z'],
      [240, '2026-03-02T14:00:00.000Z'],
    ]);
    expect(p.steps[1]!.text).toBe('unless acknowledged: tier 2 – team it-tier2 by email');
    expect(p.steps[2]!.text).toBe('unless resolved: tier 3 – vendor acme-it and the IT lead by email and SMS, repeated every 30 min up to 2 times');
  });

  it('gives no wall-clock times on business hours, and names a missing rule or calendar', () => {
    const business = previewP1({ ...policy, rules: [policy.rules![0]!] }, now);
    if ('problem' in business) throw new Error(business.problem);
    expect(business.businessHours).toBe(true);
    expect(business.steps.every((s) => s.at === null)).toBe(true);
    expect(previewP1({ ...policy, rules: [] }, now)).toEqual({ problem: expect.stringMatching(/no rule for P1/) });
    expect(previewP1({ calendars: {}, rules: [{ priority: 'P1', calendar: 'gone' }] }, now)).toEqual({ problem: expect.stringMatching(/"gone"/) });
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
