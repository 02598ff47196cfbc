/**
 * POST /api/v1/policies/preview through the ticket app, with real Keycloak logins. The preview
 * needs no database: it runs the escalation rules (packages/domain/src/escalation) on the posted
 * policy. Instants are exact: the clinic's default policy, New York time (UTC-5 in December).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EscalationPolicySchema, type EscalationPolicy } from '@tierline/contracts';
import { createLogger, createTokenVerifier } from '@tierline/platform';
import { DEMO_PASSWORD, loginAs, testEnv } from '@tierline/testing';
import { DEFAULT_POLICY } from '@tierline/domain';
import type { TicketDeps } from '../deps.js';
import { createTicketApp } from '../app.js';

const env = testEnv();
const app = createTicketApp({
  verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-ticket' }),
  logger: createLogger('it-policies-preview', process.env.LOG_LEVEL ?? 'silent'),
} as TicketDeps);
const tokens: Record<'lee' | 'alex' | 'audrey' | 'nora', string> = { lee: '', alex: '', audrey: '', nora: '' };
const draft = (): EscalationPolicy => structuredClone(EscalationPolicySchema.parse(DEFAULT_POLICY));

async function preview(who: keyof typeof tokens, body: unknown) {
  const res = await app.request('/api/v1/policies/preview', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}` },
    body: JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary response shapes
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  const [lee, alex, audrey, nora] = await Promise.all(['lee.lead', 'alex.agent', 'audrey.auditor', 'nora.nurse'].map((u) => loginAs(u, DEMO_PASSWORD)));
  tokens.lee = lee!.access_token;
  tokens.alex = alex!.access_token;
  tokens.audrey = audrey!.access_token;
  tokens.nora = nora!.access_token;
});

describe('POST /api/v1/policies/preview', () => {
  it('P3 on clinic hours opened Friday 17:00: every step pushed past the weekend to its real instant', async () => {
    const r = await preview('lee', { policy: draft(), priority: 'P3', openedAt: '2026-12-04T17:00:00-05:00' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({
      ruleIndex: 3,
      calendar: 'clinic-hours',
      timeZone: 'America/New_York',
      businessHours: true,
      openedAt: '2026-12-04T22:00:00.000Z',
      steps: [
        // 60 minutes on Friday, then Saturday opens 09:00–13:00.
        { at: '2026-12-05T14:30:00.000Z', minutes: 90, clock: 'response', kind: 'warning', percent: 75 },
        { at: '2026-12-05T15:00:00.000Z', minutes: 120, clock: 'response', kind: 'level', level: 0, tier: 2, repeat: 0, targets: [{ kind: 'team', teamId: 'it-tier2' }], channels: ['email', 'teams'] },
        { at: '2026-12-05T15:00:00.000Z', minutes: 120, clock: 'response', kind: 'target' },
        // Sunday is closed; Monday and Tuesday count 600 minutes each.
        { at: '2026-12-08T18:00:00.000Z', minutes: 1200, clock: 'resolution', kind: 'level', level: 1, tier: 2, repeat: 0, targets: [{ kind: 'it_lead' }], channels: ['email'] },
        { at: '2026-12-08T20:30:00.000Z', minutes: 1350, clock: 'resolution', kind: 'warning', percent: 75 },
        { at: '2026-12-09T18:00:00.000Z', minutes: 1800, clock: 'resolution', kind: 'target' },
      ],
    });
  });

  it('a holiday in the draft moves the steps: Monday 2026-12-07 off pushes the resolution steps a working day later', async () => {
    const p = draft();
    const cal = p.calendars['clinic-hours']!;
    if (cal.mode === 'business_hours') cal.holidays.push('2026-12-07');
    const r = await preview('alex', { policy: p, priority: 'P3', openedAt: '2026-12-04T22:00:00Z' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.steps.slice(3).map((s: { at: string }) => s.at)).toEqual(['2026-12-09T18:00:00.000Z', '2026-12-09T20:30:00.000Z', '2026-12-10T18:00:00.000Z']);
  });

  it('P1 around the clock: each level with every repeat, the vendor hand-off level at tier 3', async () => {
    const r = await preview('audrey', { policy: draft(), priority: 'P1', category: 'network', openedAt: '2026-12-03T15:00:00Z' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ ruleIndex: 0, calendar: 'always', timeZone: 'America/New_York', businessHours: false });
    const levels = r.body.steps.filter((s: { kind: string }) => s.kind === 'level').map((s: { at: string; level: number; tier: number; repeat: number }) => `${s.at} L${s.level} T${s.tier} r${s.repeat}`);
    expect(levels).toEqual([
      '2026-12-03T15:15:00.000Z L0 T2 r0',
      '2026-12-03T15:30:00.000Z L0 T2 r1',
      '2026-12-03T15:45:00.000Z L0 T2 r2',
      '2026-12-03T16:00:00.000Z L0 T2 r3',
      '2026-12-03T16:00:00.000Z L1 T3 r0',
      '2026-12-03T16:30:00.000Z L1 T3 r1',
      '2026-12-03T17:00:00.000Z L1 T3 r2',
      '2026-12-03T17:30:00.000Z L1 T3 r3',
      '2026-12-03T18:00:00.000Z L1 T3 r4',
    ]);
    expect(r.body.steps.find((s: { level?: number }) => s.level === 1)).toMatchObject({
      clock: 'resolution',
      minutes: 60,
      targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }, { kind: 'it_lead' }],
      channels: ['email', 'sms'],
    });
    expect(r.body.steps.filter((s: { kind: string }) => s.kind !== 'level').map((s: { at: string; kind: string; clock: string }) => `${s.at} ${s.kind} ${s.clock}`)).toEqual([
      '2026-12-03T15:11:15.000Z warning response',
      '2026-12-03T15:13:30.000Z warning response',
      '2026-12-03T15:15:00.000Z target response',
      '2026-12-03T18:00:00.000Z warning resolution',
      '2026-12-03T18:36:00.000Z warning resolution',
      '2026-12-03T19:00:00.000Z target resolution',
    ]);
  });

  it('opens now when openedAt is left out', async () => {
    const before = Date.now();
    const r = await preview('lee', { policy: draft(), priority: 'P2' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(Date.parse(r.body.openedAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(r.body.openedAt)).toBeLessThanOrEqual(Date.now());
    expect(r.body.steps[0]).toMatchObject({ kind: 'warning', clock: 'response', percent: 75, minutes: 22.5 });
  });

  it('refuses a draft that fails validation with 422, naming each issue by its path in the policy as the draft check does', async () => {
    const semantic = draft();
    semantic.rules[0]!.calendar = 'nowhere';
    const r = await preview('lee', { policy: semantic, priority: 'P1' });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.error.code).toBe('UNPROCESSABLE');
    expect(r.body.error.details).toContainEqual(expect.objectContaining({ path: 'rules.0.calendar' }));

    const structural = { ...draft(), rules: [{ ...draft().rules[0]!, responseTargetMinutes: -5 }] };
    const s = await preview('lee', { policy: structural, priority: 'P1' });
    expect(s.status, JSON.stringify(s.body)).toBe(422);
    expect(s.body.error.details.map((d: { path: string }) => d.path)).toEqual(['rules.0.responseTargetMinutes']);
  });

  it('refuses a malformed request (unknown priority, bad instant) with 400 naming the field', async () => {
    const r = await preview('lee', { policy: draft(), priority: 'P9', openedAt: 'tomorrow' });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect([...new Set(r.body.error.details.map((d: { path: string }) => d.path))].sort()).toEqual(['openedAt', 'priority']);
    const farFuture = await preview('lee', { policy: draft(), priority: 'P3', openedAt: '9999-12-31T23:59:59Z' });
    expect(farFuture.status, JSON.stringify(farFuture.body)).toBe(400);
    expect(farFuture.body.error.details).toEqual([{ path: 'openedAt', message: 'must be in the years 2000 to 2099' }]);
  });

  it('refuses clinic staff with 403, before looking at the body', async () => {
    const r = await preview('nora', { nonsense: true });
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
  });
});
