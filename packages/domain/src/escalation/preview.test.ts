import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../policy/defaults.js';
import { previewEscalation } from './preview.js';

const t = (iso: string): number => Date.parse(iso);

describe('previewEscalation on the clinic default policy', () => {
  it('P3 on clinic hours opened Friday 17:00: the weekend (Saturday 09–13 open, Sunday closed) pushes every step', () => {
    const p = previewEscalation(DEFAULT_POLICY, 'P3', undefined, t('2026-12-04T22:00:00Z'))!;
    expect(p).toMatchObject({ ruleIndex: 3, calendar: 'clinic-hours', timeZone: 'America/New_York', businessHours: true, openedAt: '2026-12-04T22:00:00.000Z' });
    expect(p.steps).toEqual([
      { at: '2026-12-05T14:30:00.000Z', minutes: 90, clock: 'response', kind: 'warning', percent: 75 },
      { at: '2026-12-05T15:00:00.000Z', minutes: 120, clock: 'response', kind: 'level', level: 0, tier: 2, repeat: 0, targets: [{ kind: 'team', teamId: 'it-tier2' }], channels: ['email', 'teams'] },
      { at: '2026-12-05T15:00:00.000Z', minutes: 120, clock: 'response', kind: 'target' },
      { at: '2026-12-08T18:00:00.000Z', minutes: 1200, clock: 'resolution', kind: 'level', level: 1, tier: 2, repeat: 0, targets: [{ kind: 'it_lead' }], channels: ['email'] },
      { at: '2026-12-08T20:30:00.000Z', minutes: 1350, clock: 'resolution', kind: 'warning', percent: 75 },
      { at: '2026-12-09T18:00:00.000Z', minutes: 1800, clock: 'resolution', kind: 'target' },
    ]);
  });

  it('P1 around the clock: every repeat of every level, in order, up to each maxRepeats', () => {
    const p = previewEscalation(DEFAULT_POLICY, 'P1', 'network', t('2026-12-03T15:00:00Z'))!;
    expect(p).toMatchObject({ ruleIndex: 0, calendar: 'always', businessHours: false });
    expect(p.steps.map((s) => `${s.at} ${s.minutes} ${s.clock} ${s.kind}${s.kind === 'level' ? ` L${s.level} T${s.tier} r${s.repeat}` : ''}${s.percent ? ` ${s.percent}%` : ''}`)).toEqual([
      '2026-12-03T15:11:15.000Z 11.25 response warning 75%',
      '2026-12-03T15:13:30.000Z 13.5 response warning 90%',
      '2026-12-03T15:15:00.000Z 15 response level L0 T2 r0',
      '2026-12-03T15:15:00.000Z 15 response target',
      '2026-12-03T15:30:00.000Z 30 response level L0 T2 r1',
      '2026-12-03T15:45:00.000Z 45 response level L0 T2 r2',
      '2026-12-03T16:00:00.000Z 60 response level L0 T2 r3',
      '2026-12-03T16:00:00.000Z 60 resolution level L1 T3 r0',
      '2026-12-03T16:30:00.000Z 90 resolution level L1 T3 r1',
      '2026-12-03T17:00:00.000Z 120 resolution level L1 T3 r2',
      '2026-12-03T17:30:00.000Z 150 resolution level L1 T3 r3',
      '2026-12-03T18:00:00.000Z 180 resolution level L1 T3 r4',
      '2026-12-03T18:00:00.000Z 180 resolution warning 75%',
      '2026-12-03T18:36:00.000Z 216 resolution warning 90%',
      '2026-12-03T19:00:00.000Z 240 resolution target',
    ]);
  });

  it('takes the category rule when one matches, and pages at once for a level after 0 minutes', () => {
    const p = previewEscalation(DEFAULT_POLICY, 'P1', 'medical_device', t('2026-12-03T15:00:00Z'))!;
    expect(p.ruleIndex).toBe(1);
    expect(p.steps[0]).toEqual({ at: '2026-12-03T15:00:00.000Z', minutes: 0, clock: 'response', kind: 'level', level: 0, tier: 1, repeat: 0, targets: [{ kind: 'on_call', teamId: 'biomed' }], channels: ['sms'] });
  });

  it('is null when the policy has no rule for the priority', () => {
    expect(previewEscalation({ ...DEFAULT_POLICY, rules: DEFAULT_POLICY.rules.filter((r) => r.priority !== 'P4') }, 'P4', undefined, t('2026-12-03T15:00:00Z'))).toBeNull();
  });
});
