import { describe, expect, it } from 'vitest';
import { AppError, type Actor } from '@tierline/platform';
import { DEFAULT_POLICY } from '@tierline/domain';
import { canEditPolicies, canReadPolicies, checkPolicy, parseIfMatch } from './v1_policies_common.js';
import { mapLimit } from './v1_policies_migrate.js';

const actor = (...roles: Actor['roles']): Actor => ({
  id: 'u1',
  username: 'u',
  roles,
  sites: [],
  vendorOrg: null,
  primaryRole: roles[0] ?? 'clinic_staff',
  isServiceAccount: false,
  serviceClient: null,
});

describe('policy access', () => {
  it.each([
    [['it_lead'], true, true],
    [['it_agent'], true, false],
    [['auditor'], true, false],
    [['clinic_staff'], false, false],
    [['vendor'], false, false],
    [['admin'], false, false],
  ] as const)('%j: read %s, edit %s', (roles, read, edit) => {
    expect(canReadPolicies(actor(...roles))).toBe(read);
    expect(canEditPolicies(actor(...roles))).toBe(edit);
  });
});

describe('parseIfMatch', () => {
  it('accepts a strong or weak ETag or a bare number', () => {
    expect(parseIfMatch('"3"')).toBe(3);
    expect(parseIfMatch('W/"12"')).toBe(12);
    expect(parseIfMatch('0')).toBe(0);
    expect(parseIfMatch(undefined)).toBeUndefined();
  });
  it('refuses anything else with a 400 naming the header', () => {
    for (const bad of ['*', '"abc"', '', '"1", "2"']) {
      let caught: unknown;
      try {
        parseIfMatch(bad);
      } catch (err) {
        caught = err;
      }
      expect(caught, `If-Match ${JSON.stringify(bad)}`).toBeInstanceOf(AppError);
      expect((caught as AppError).code).toBe('BAD_REQUEST');
      expect((caught as AppError).details?.[0]?.path).toBe('if-match');
    }
  });
});

describe('checkPolicy', () => {
  it('passes the default policy', () => {
    const r = checkPolicy(DEFAULT_POLICY);
    expect(r.issues).toEqual([]);
    expect(r.policy?.name).toBe(DEFAULT_POLICY.name);
  });
  it('reports structural problems by path and skips the semantic checks', () => {
    const r = checkPolicy({ ...DEFAULT_POLICY, reopenPolicy: 'sometimes', extra: 1 });
    expect(r.policy).toBeUndefined();
    expect(r.issues.map((i) => i.path).sort()).toEqual(['(body)', 'reopenPolicy'].sort());
  });
  it('reports semantic problems by path', () => {
    const p = structuredClone(DEFAULT_POLICY);
    p.calendars['always'] = { mode: '24x7', timeZone: 'Mars/Olympus_Mons' };
    const r = checkPolicy(p);
    expect(r.issues.map((i) => i.path)).toEqual(['calendars.always.timeZone']);
  });
});

describe('mapLimit', () => {
  it('keeps order and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, n * 3));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
  it('handles an empty list', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});
