import { describe, expect, it } from 'vitest';
import type { TicketEscalationState } from '@tierline/contracts';
import { DEFAULT_POLICY } from '../policy/defaults.js';
import { ruleFor } from '../policy/validate.js';
import { stopClock } from './clocks.js';
import {
  applyRule,
  buildLevels,
  dueItems,
  escalationView,
  fireDue,
  initialEscalationState,
  nextDeadline,
  remeasureResolutionLevels,
  type EscalationContext,
} from './escalation.js';

const MIN = 60_000;
const t = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const OPENED = '2026-12-03T15:00:00.000Z';
const at = (minutes: number): number => t(OPENED) + minutes * MIN;

/** A P1 opened on the clinic's default policy (24x7: response 15 min, resolution 4 h, vendor hand-off at 60 min). */
function p1(): { state: TicketEscalationState; ctx: EscalationContext } {
  const ticket = {
    id: 't-1',
    number: 'IT-1001',
    siteId: 'main',
    category: 'network',
    status: 'new' as const,
    priority: 'P1' as const,
    tier: 1 as const,
    teamId: 'it-helpdesk',
    assigneeId: null,
    vendorOrgId: null,
    createdAt: OPENED,
  };
  const state = initialEscalationState(ticket, 7, ruleFor(DEFAULT_POLICY, 'P1', 'network')!);
  const ctx: EscalationContext = {
    calendar: (name) => DEFAULT_POLICY.calendars[name]!,
    rule: () => ruleFor(DEFAULT_POLICY, state.priority, state.category)!,
  };
  state.levels = buildLevels(state, ctx.rule(), t(OPENED), ctx.calendar, true);
  return { state, ctx };
}

describe('what is due', () => {
  it('lists warnings, levels and targets of an untouched ticket in time order', () => {
    const { state, ctx } = p1();
    const due = dueItems(state, ctx).map((i) => `${iso(i.at)} ${i.kind}${i.kind === 'level' ? ` ${i.level.index}` : ` ${i.clock.name}`}`);
    expect(due).toEqual([
      '2026-12-03T15:11:15.000Z warning response',
      '2026-12-03T15:13:30.000Z warning response',
      '2026-12-03T15:15:00.000Z level 0',
      '2026-12-03T15:15:00.000Z breach response',
      '2026-12-03T16:00:00.000Z level 1',
      '2026-12-03T18:00:00.000Z warning resolution',
      '2026-12-03T18:36:00.000Z warning resolution',
      '2026-12-03T19:00:00.000Z breach resolution',
    ]);
    expect(nextDeadline(state, at(12), ctx)).toEqual({ at: t('2026-12-03T15:13:30Z'), kind: '90% of response target' });
  });

  it('has nothing due once the ticket is resolved', () => {
    const { state, ctx } = p1();
    state.status = 'resolved';
    expect(dueItems(state, ctx)).toEqual([]);
    expect(nextDeadline(state, at(0), ctx)).toBeNull();
  });

  it("has nothing due while it is a major incident's child, and on leaving it what passed meanwhile is due at once (decision 40)", () => {
    const { state, ctx } = p1();
    state.incident = { role: 'child', parentTicketId: 't-parent' };
    expect(dueItems(state, ctx)).toEqual([]);
    expect(fireDue(state, at(30), ctx)).toEqual([]);
    expect(nextDeadline(state, at(30), ctx)).toBeNull();
    // The clocks kept counting: at 30 minutes, the warnings, the 15-minute level and the breach fire together.
    state.incident = null;
    expect(fireDue(state, at(30), ctx).map((f) => f.event.type)).toEqual(['ticket.sla_warning', 'ticket.sla_warning', 'ticket.escalated', 'ticket.sla_breached']);
    expect(state.escalations.map((e) => e.at)).toEqual([iso(at(30))]);
  });

  it('shows the incident in the view, and keeps its reminder bookkeeping out of it', () => {
    const { state, ctx } = p1();
    expect(escalationView(state, at(1), ctx).incident).toBeNull();
    state.incident = { role: 'major', children: ['t-2'], nextUpdateAt: iso(at(30)), declaredBy: 'lead-1' };
    state.incidentReminded = iso(at(30));
    const view = escalationView(state, at(1), ctx);
    expect(view.incident).toEqual({ role: 'major', children: ['t-2'], nextUpdateAt: iso(at(30)), declaredBy: 'lead-1' });
    expect(view).not.toHaveProperty('incidentReminded');
  });
});

describe('firing', () => {
  it('fires everything due at an instant together: the level raises the tier and pages, the breach is recorded', () => {
    const { state, ctx } = p1();
    expect(fireDue(state, at(14), ctx).map((f) => f.event.type)).toEqual(['ticket.sla_warning', 'ticket.sla_warning']);
    const fired = fireDue(state, at(15), ctx);
    expect(fired.map((f) => f.event)).toEqual([
      {
        type: 'ticket.escalated',
        data: { level: 0, repeat: 0, fromTier: 1, tier: 2, clock: 'response', afterMinutes: 15, targets: [{ kind: 'it_lead' }], channels: ['sms', 'email'], policyVersion: 7 },
      },
      { type: 'ticket.sla_breached', data: { clock: 'response', targetMinutes: 15, tier: 2 } },
    ]);
    expect(fired[0]!.notify).toMatchObject({
      idempotencyKey: 't-1:escalation:0',
      template: 'escalation',
      tier: 2,
      level: 0,
      targets: [{ kind: 'it_lead' }],
      channels: ['sms', 'email'],
      deadlineAt: '2026-12-03T15:15:00.000Z',
      deadlineKind: 'response target',
      createdAt: '2026-12-03T15:15:00.000Z',
    });
    expect(fired[1]!.notify).toBeUndefined();
    expect(state.tier).toBe(2);
    expect(state.escalations).toEqual([{ level: 0, tier: 2, repeat: 0, at: '2026-12-03T15:15:00.000Z', clock: 'response', idempotencyKey: 't-1:escalation:0' }]);
    expect(fireDue(state, at(15), ctx)).toEqual([]);
  });

  it('repeats a level every repeatEveryMinutes up to maxRepeats times, then stops', () => {
    const { state, ctx } = p1();
    const repeats: string[] = [];
    for (let m = 15; m <= 75; m += 15) {
      for (const f of fireDue(state, at(m), ctx)) {
        if (f.item.kind === 'level' && f.item.level.index === 0) repeats.push(`${m} ${f.event.type} ${f.event.data.repeat as number}`);
      }
    }
    expect(repeats).toEqual(['15 ticket.escalated 0', '30 ticket.escalation_repeated 1', '45 ticket.escalation_repeated 2', '60 ticket.escalation_repeated 3']);
    expect(state.levels[0]!.fired).toBe(4);
  });

  it('hands the ticket to the vendor at tier 3 and starts the vendor clock from the contract', () => {
    const { state, ctx } = p1();
    fireDue(state, at(15), ctx);
    const fired = fireDue(state, at(60), ctx).find((f) => f.item.kind === 'level' && f.item.level.index === 1)!;
    expect(state).toMatchObject({ tier: 3, status: 'waiting_on_vendor', vendorOrgId: 'acme-it' });
    expect(state.clocks.vendor_response).toMatchObject({ state: 'running', calendar: 'always', targetMinutes: 30, runningSinceMs: at(60) });
    expect(state.clocks.vendor_resolution).toMatchObject({ state: 'not_started', targetMinutes: 240 });
    // The page names the vendor's deadline, not the ticket's.
    expect(fired.notify).toMatchObject({ deadlineAt: '2026-12-03T16:30:00.000Z', deadlineKind: 'vendor response target', tier: 3 });
    expect(dueItems(state, ctx).some((i) => i.kind === 'breach' && i.clock.name === 'vendor_response' && i.at === at(90))).toBe(true);
  });
});

describe('changing the rule', () => {
  it('re-bases the clocks on a new priority without losing counted time, and marks levels already passed at the held tier done', () => {
    const { state, ctx } = p1();
    fireDue(state, at(15), ctx); // tier 2
    state.priority = 'P2';
    applyRule(state, at(20), ctx);
    expect(state.clocks.response).toMatchObject({ targetMinutes: 30, elapsedBeforeMs: 20 * MIN, runningSinceMs: at(20), breached: false });
    expect(state.clocks.resolution.targetMinutes).toBe(480);
    // P2's tier-2 level is due at 30 minutes on the response clock: not passed yet, so still to fire.
    expect(state.levels.map((l) => l.fired)).toEqual([0, 0]);
    expect(iso(dueItems(state, ctx).find((i) => i.kind === 'level')!.at)).toBe('2026-12-03T15:30:00.000Z');
  });

  it('after a reopen, measures resolution-clock levels again on the resolution clock', () => {
    const { state, ctx } = p1();
    fireDue(state, at(15), ctx);
    fireDue(state, at(60), ctx);
    expect(state.levels[1]!.fired).toBe(1);
    stopClock(state.clocks.resolution, at(70), ctx.calendar);
    state.clocks.resolution = { ...state.clocks.resolution, elapsedBeforeMs: 0, runningSinceMs: at(80), state: 'running' };
    remeasureResolutionLevels(state, at(80), ctx.calendar);
    expect(state.levels[1]).toMatchObject({ fired: 0, nextDueClockMs: 60 * MIN });
  });

  it('shows clocks, the current level and the next deadline', () => {
    const { state, ctx } = p1();
    fireDue(state, at(15), ctx);
    const view = escalationView(state, at(20), ctx);
    expect(view.clocks.find((c) => c.name === 'response')).toEqual({
      name: 'response',
      state: 'running',
      targetMinutes: 15,
      elapsedMinutes: 20,
      remainingMinutes: 0,
      deadlineAt: '2026-12-03T15:15:00.000Z',
      breached: true,
    });
    expect(view.currentLevel).toBe(1);
    expect(view.nextDeadline).toEqual({ at: '2026-12-03T15:30:00.000Z', kind: 'repeat of tier 2 page' });
    expect(view.now).toBe('2026-12-03T15:20:00.000Z');
  });
});
