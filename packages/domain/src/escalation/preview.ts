/**
 * The policy preview: what a policy would do to a ticket of a given priority (and category)
 * opened at a given instant that nobody acknowledges or resolves. It runs the workflow's own
 * rules (escalation.ts) against an imagined ticket, firing everything due in turn, exactly as
 * the workflow's main loop does.
 */
import type { EscalationPolicy, PolicyPreview, PolicyPreviewStep, Priority } from '@tierline/contracts';
import { MS_PER_MINUTE as MIN } from '../policy/calendar.js';
import { ruleFor } from '../policy/validate.js';
import { elapsedMs } from './clocks.js';
import { buildLevels, dueItems, fireDue, initialEscalationState, type EscalationContext, type OpeningTicket } from './escalation.js';

/** A bound on the steps of one preview; a valid policy stays far below it (levels repeat at most 100 times). */
export const MAX_PREVIEW_STEPS = 5_000;

/**
 * Previews `policy` (already validated) for a ticket opened at `openedAtMs`. Null when the policy
 * has no rule for that priority and category. The vendor's own clocks, which start at a hand-off,
 * are not part of the preview.
 */
export function previewEscalation(policy: EscalationPolicy, priority: Priority, category: string | undefined, openedAtMs: number): PolicyPreview | null {
  const rule = ruleFor(policy, priority, category);
  if (!rule) return null;
  const calendar = (name: string) => {
    const c = policy.calendars[name];
    if (!c) throw new Error(`the policy has no calendar "${name}"`);
    return c;
  };
  const ctx: EscalationContext = { calendar, rule: () => rule };
  const openedAt = new Date(openedAtMs).toISOString();
  const ticket: OpeningTicket = {
    id: 'preview',
    number: 'PREVIEW',
    siteId: 'preview',
    category: category ?? '',
    status: 'new',
    priority,
    tier: 1,
    teamId: null,
    assigneeId: null,
    vendorOrgId: null,
    createdAt: openedAt,
  };
  const state = initialEscalationState(ticket, 0, rule);
  state.levels = buildLevels(state, rule, openedAtMs, calendar, true);

  const steps: PolicyPreviewStep[] = [];
  for (let next = dueItems(state, ctx)[0]; next && steps.length < MAX_PREVIEW_STEPS; next = dueItems(state, ctx)[0]) {
    for (const { item } of fireDue(state, next.at, ctx)) {
      const clockName = item.kind === 'level' ? item.level.clock : item.clock.name;
      if (clockName !== 'response' && clockName !== 'resolution') continue;
      const minutes = Math.round((elapsedMs(state.clocks[clockName], item.at, calendar) / MIN) * 100) / 100;
      const at = new Date(item.at).toISOString();
      if (item.kind === 'level') {
        const l = item.level;
        steps.push({ at, minutes, clock: clockName, kind: 'level', level: l.index, tier: l.tier, repeat: l.fired - 1, targets: l.targets, channels: l.channels });
      } else if (item.kind === 'warning') {
        steps.push({ at, minutes, clock: clockName, kind: 'warning', percent: item.percent });
      } else {
        steps.push({ at, minutes, clock: clockName, kind: 'target' });
      }
    }
  }
  return {
    ruleIndex: policy.rules.indexOf(rule),
    calendar: rule.calendar,
    timeZone: calendar(rule.calendar).timeZone,
    businessHours: calendar(rule.calendar).mode === 'business_hours',
    openedAt,
    steps,
  };
}
