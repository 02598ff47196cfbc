/**
 * The policy what-if: what a policy would have done to tickets that really happened. Each
 * recorded ticket (its opening and the instants of what people did to it, from its timeline) is
 * replayed on the policy with the workflow's own rules — the escalation steps of escalation.ts,
 * the clocks of clocks.ts, the policy's calendars — firing everything that falls due between one
 * human action and the next, exactly as the ticket workflow's main loop does. Nothing here
 * decides anew when a ticket climbs: the actions below move the clocks as
 * workflows/src/workflows/actions.ts does, and every firing is `fireDue`'s.
 *
 * What is counted: pages (each level firing, repeats included, once per target it names),
 * pages to a vendor, policy hand-offs to a vendor (a tier-3 level naming a vendor the ticket was
 * not with), and breaches per clock. The same figures are read from the recorded timeline, so a
 * replay of the version the tickets ran on can be checked against what it really did.
 */
import type { ClockName, EscalationPolicy, Priority } from '@tierline/contracts';
import { ruleFor } from '../policy/validate.js';
import { pauseClock, resumeClock, startClock, stopClock } from './clocks.js';
import {
  applyRule,
  buildLevels,
  dueItems,
  fireDue,
  handOff,
  initialEscalationState,
  remeasureResolutionLevels,
  type EscalationContext,
  type OpeningTicket,
} from './escalation.js';

/** What a person did to a ticket, at an instant (epoch ms), as its timeline recorded it. */
export type RecordedAction =
  | { kind: 'acknowledged' | 'waiting_on_requester' | 'resumed' | 'vendor_acknowledged' | 'resolved' | 'reopened' | 'closed'; at: number }
  | { kind: 'handed_to_vendor'; at: number; vendorOrgId: string }
  | { kind: 'priority_changed'; at: number; priority: Priority };

/** A ticket as it happened: how it opened and what people did to it, oldest first. */
export interface RecordedTicket {
  id: string;
  number: string;
  siteId: string;
  category: string;
  /** The priority it opened with. */
  priority: Priority;
  openedAt: number;
  policyVersion: number;
  actions: RecordedAction[];
  /** What the workflow recorded it did (`readTimeline`). */
  recorded: EscalationOutcome;
}

/** What a policy did (or would have done) to some tickets. */
export interface EscalationOutcome {
  tickets: number;
  /** Level firings (repeats included) times the targets each names. */
  pages: number;
  /** Of those, the pages to a vendor organisation. */
  vendorPages: number;
  /** Hand-offs to a vendor made by a tier-3 level of the policy (not by a person). */
  vendorHandOffs: number;
  breaches: Record<ClockName, number>;
}

export const emptyOutcome = (): EscalationOutcome => ({
  tickets: 0,
  pages: 0,
  vendorPages: 0,
  vendorHandOffs: 0,
  breaches: { response: 0, resolution: 0, vendor_response: 0, vendor_resolution: 0 },
});

export function addOutcome(into: EscalationOutcome, o: EscalationOutcome): void {
  into.tickets += o.tickets;
  into.pages += o.pages;
  into.vendorPages += o.vendorPages;
  into.vendorHandOffs += o.vendorHandOffs;
  for (const k of Object.keys(into.breaches) as ClockName[]) into.breaches[k] += o.breaches[k];
}

/** A timeline entry as the ticket store reads it. */
export interface TimelineFact {
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

type Target = { kind: string; vendorOrgId?: string };

/**
 * The human actions of a timeline (oldest first) as a replay takes them, and what the workflow
 * recorded it did: its escalations, hand-offs and breaches, counted as `replayTicket` counts them.
 */
export function readTimeline(entries: readonly TimelineFact[]): { actions: RecordedAction[]; recorded: EscalationOutcome } {
  const actions: RecordedAction[] = [];
  const recorded = emptyOutcome();
  recorded.tickets = 1;
  let vendor: string | null = null;
  for (const e of entries) {
    const at = Date.parse(e.occurredAt);
    const d = e.data;
    switch (e.type) {
      case 'ticket.acknowledged':
      case 'ticket.waiting_on_requester':
      case 'ticket.resumed':
      case 'ticket.vendor_acknowledged':
      case 'ticket.resolved':
      case 'ticket.reopened':
      case 'ticket.closed':
        actions.push({ kind: e.type.slice('ticket.'.length) as 'acknowledged', at });
        break;
      case 'ticket.commented':
        // A requester's public reply resumed a ticket waiting on them.
        if (d.resumed === true) actions.push({ kind: 'resumed', at });
        break;
      case 'ticket.handed_to_vendor':
        vendor = String(d.vendorOrgId);
        actions.push({ kind: 'handed_to_vendor', at, vendorOrgId: vendor });
        break;
      case 'ticket.priority_changed':
        actions.push({ kind: 'priority_changed', at, priority: d.to as Priority });
        break;
      case 'ticket.escalated':
      case 'ticket.escalation_repeated': {
        const targets = (Array.isArray(d.targets) ? d.targets : []) as Target[];
        recorded.pages += targets.length;
        recorded.vendorPages += targets.filter((t) => t.kind === 'vendor').length;
        const to = targets.find((t) => t.kind === 'vendor');
        if (to?.vendorOrgId && d.tier === 3 && to.vendorOrgId !== vendor) {
          vendor = to.vendorOrgId;
          recorded.vendorHandOffs += 1;
        }
        break;
      }
      case 'ticket.sla_breached': {
        const clock = d.clock as ClockName;
        if (clock in recorded.breaches) recorded.breaches[clock] += 1;
        break;
      }
    }
  }
  return { actions, recorded };
}

/**
 * Replays one recorded ticket on `policy` up to `untilMs` (what is still open keeps climbing until
 * then). Null when the policy has no rule for the ticket's priority at some point of its life.
 */
export function replayTicket(policy: EscalationPolicy, ticket: RecordedTicket, untilMs: number): EscalationOutcome | null {
  const calendar = (name: string) => {
    const c = policy.calendars[name];
    if (!c) throw new Error(`the policy has no calendar "${name}"`);
    return c;
  };
  const firstRule = ruleFor(policy, ticket.priority, ticket.category);
  if (!firstRule) return null;
  const opening: OpeningTicket = {
    id: ticket.id,
    number: ticket.number,
    siteId: ticket.siteId,
    category: ticket.category,
    status: 'new',
    priority: ticket.priority,
    tier: 1,
    teamId: null,
    assigneeId: null,
    vendorOrgId: null,
    createdAt: new Date(ticket.openedAt).toISOString(),
  };
  const state = initialEscalationState(opening, 0, firstRule);
  const ctx: EscalationContext = {
    calendar,
    rule: () => {
      const r = ruleFor(policy, state.priority, state.category);
      if (!r) throw new Error(`no rule for ${state.priority}`);
      return r;
    },
  };
  // A ticket opened now fires its 0-minute levels at once (the workflow's patched opening).
  state.levels = buildLevels(state, firstRule, ticket.openedAt, calendar, true);
  const out = emptyOutcome();
  out.tickets = 1;

  /** Everything due before `at`, fired at its own instant, as the workflow's timers would have. */
  const runUntil = (at: number, inclusive: boolean) => {
    for (let next = dueItems(state, ctx)[0]; next && (inclusive ? next.at <= at : next.at < at); next = dueItems(state, ctx)[0]) {
      const vendorBefore = state.vendorOrgId;
      for (const f of fireDue(state, next.at, ctx)) {
        if (f.item.kind === 'level') {
          const targets = f.item.level.targets as Target[];
          out.pages += targets.length;
          out.vendorPages += targets.filter((t) => t.kind === 'vendor').length;
        } else if (f.item.kind === 'breach') {
          out.breaches[f.item.clock.name] += 1;
        }
      }
      if (state.vendorOrgId !== vendorBefore) out.vendorHandOffs += 1;
    }
  };

  const reopenPolicy = policy.reopenPolicy;
  for (const a of ticket.actions) {
    runUntil(a.at, false);
    const at = a.at;
    switch (a.kind) {
      case 'acknowledged':
        if (!state.acknowledgedAt) {
          stopClock(state.clocks.response, at, calendar);
          state.acknowledgedAt = new Date(at).toISOString();
        }
        if (state.status === 'new') state.status = 'acknowledged';
        break;
      case 'waiting_on_requester':
        pauseClock(state.clocks.response, at, calendar);
        pauseClock(state.clocks.resolution, at, calendar);
        state.status = 'waiting_on_requester';
        break;
      case 'resumed':
        resumeClock(state.clocks.response, at);
        resumeClock(state.clocks.resolution, at);
        state.status = state.acknowledgedAt ? 'in_progress' : 'new';
        break;
      case 'handed_to_vendor':
        handOff(state, a.vendorOrgId, at, ctx);
        break;
      case 'vendor_acknowledged': {
        stopClock(state.clocks.vendor_response, at, calendar);
        const vr = state.clocks.vendor_resolution;
        if (vr.state === 'not_started' && vr.targetMinutes > 0) startClock(vr, at, vr.calendar, vr.targetMinutes);
        break;
      }
      case 'resolved':
        for (const c of Object.values(state.clocks)) stopClock(c, at, calendar);
        state.status = 'resolved';
        state.resolvedAt = new Date(at).toISOString();
        break;
      case 'reopened': {
        const res = state.clocks.resolution;
        if (reopenPolicy === 'restart_resolution_clock') startClock(res, at, res.calendar, res.targetMinutes);
        else {
          res.state = 'paused';
          resumeClock(res, at);
        }
        remeasureResolutionLevels(state, at, calendar);
        state.status = 'in_progress';
        state.resolvedAt = null;
        break;
      }
      case 'closed':
        state.status = 'closed';
        break;
      case 'priority_changed':
        if (!ruleFor(policy, a.priority, state.category)) return null;
        state.priority = a.priority;
        applyRule(state, at, ctx);
        break;
    }
  }
  runUntil(untilMs, true);
  return out;
}

/** The final priority of a recorded ticket: the one it is reported under. */
export const finalPriority = (t: RecordedTicket): Priority =>
  t.actions.reduce<Priority>((p, a) => (a.kind === 'priority_changed' ? a.priority : p), t.priority);

export interface WhatIfRow {
  priority: Priority;
  /** What really happened to the tickets that ran on the current version (they alone can be compared with its replay). */
  recorded: EscalationOutcome;
  /** The current version's replay, restricted to those same tickets. */
  recordedReplay: EscalationOutcome;
  current: EscalationOutcome;
  draft: EscalationOutcome;
}

export interface WhatIfComparison {
  rows: WhatIfRow[];
  total: Omit<WhatIfRow, 'priority'>;
  /** Tickets a policy could not replay (it has no rule for their priority and category). */
  skipped: { current: number; draft: number };
}

/**
 * Replays every recorded ticket on the current policy and on the draft, up to `untilMs`, and sums
 * the outcomes per priority (the ticket's last priority). Pure: the caller reads the tickets.
 */
export function compareWhatIf(
  current: { version: number; policy: EscalationPolicy },
  draft: EscalationPolicy,
  tickets: readonly RecordedTicket[],
  untilMs: number,
): WhatIfComparison {
  const byPriority = new Map<Priority, WhatIfRow>();
  const blank = () => ({ recorded: emptyOutcome(), recordedReplay: emptyOutcome(), current: emptyOutcome(), draft: emptyOutcome() });
  const total = blank();
  const skipped = { current: 0, draft: 0 };
  for (const t of tickets) {
    const priority = finalPriority(t);
    let row = byPriority.get(priority);
    if (!row) byPriority.set(priority, (row = { priority, ...blank() }));
    for (const side of ['current', 'draft'] as const) {
      const o = replayTicket(side === 'current' ? current.policy : draft, t, untilMs);
      if (!o) {
        skipped[side] += 1;
        continue;
      }
      addOutcome(row[side], o);
      addOutcome(total[side], o);
      if (side === 'current' && t.policyVersion === current.version) {
        for (const into of [row, total]) {
          addOutcome(into.recorded, t.recorded);
          addOutcome(into.recordedReplay, o);
        }
      }
    }
  }
  const rows = [...byPriority.values()].sort((a, b) => a.priority.localeCompare(b.priority));
  return { rows, total, skipped };
}
