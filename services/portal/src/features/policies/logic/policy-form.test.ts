import { describe, expect, it } from 'vitest';
import { EscalationPolicySchema, type EscalationPolicyInput } from '@tierline/contracts';
import { mergeIssues, parsePolicyText, policyResolver, schemaIssues } from './policy-form.js';

const policy: EscalationPolicyInput = {
  priorityMatrix: {
    matrix: {
      whole_site: { high: 'P1', medium: 'P2', low: 'P2' },
      department: { high: 'P2', medium: 'P3', low: 'P3' },
      one_user: { high: 'P3', medium: 'P3', low: 'P4' },
    },
    patientCareRaisesBy: 1,
  },
  calendars: { always: { mode: '24x7', timeZone: 'UTC' } },
  rules: [
    {
      priority: 'P1',
      calendar: 'always',
      responseTargetMinutes: 15,
      resolutionTargetMinutes: 240,
      levels: [{ after: { clock: 'response', minutes: 15 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['sms'] }],
    },
  ],
  reopenPolicy: 'restart_resolution_clock',
};
const opts = { fields: {}, shouldUseNativeValidation: false } as const;
const check = (json: string) => policyResolver({ json }, undefined, opts);

describe('the policy editor checked by the API policy schema', () => {
  it('passes a valid policy and gives what the server would store (defaults filled)', async () => {
    const r = await check(JSON.stringify(policy, null, 2));
    expect(r.errors).toEqual({});
    expect(r.values).toEqual({ json: EscalationPolicySchema.parse(policy) });
  });

  it('names a JSON mistake on the text itself, and nothing on the policy', async () => {
    const r = await check('{ "rules": ');
    expect(r.errors.json?.message).toMatch(/^This is not valid JSON: /);
    expect(schemaIssues(r.errors)).toEqual([]);
    expect(parsePolicyText('[1]')).toEqual({ ok: false, message: 'The policy must be a JSON object ({ … }).' });
  });

  it("lists the schema's issues by their path in the policy, as the server does", async () => {
    const bad = structuredClone(policy) as Record<string, unknown> & typeof policy;
    bad.rules[0]!.responseTargetMinutes = 0;
    (bad.rules[0]! as Record<string, unknown>).resolutionTargetMinutes = 'soon';
    const r = await check(JSON.stringify(bad));
    const issues = schemaIssues(r.errors);
    expect(issues.map((i) => i.path).sort()).toEqual(['rules.0.resolutionTargetMinutes', 'rules.0.responseTargetMinutes']);
    // The same words as the server's validate endpoint (the same schema's issues).
    const server = EscalationPolicySchema.safeParse(bad).error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    expect(mergeIssues(server, issues)).toEqual(server);
  });

  it('a policy-wide issue (an unknown field) is the text’s, not a field’s', async () => {
    const r = await check(JSON.stringify({ ...policy, colour: 'blue' }));
    expect(r.errors.json?.message).toMatch(/colour/);
    expect(schemaIssues(r.errors)).toEqual([]);
  });

  it('merges without repeating an issue the server also names', () => {
    const a = { path: 'rules.0.calendar', message: 'no calendar x' };
    const b = { path: 'rules.0.levels', message: 'too few' };
    expect(mergeIssues([a], [b, a])).toEqual([a, b]);
  });
});
