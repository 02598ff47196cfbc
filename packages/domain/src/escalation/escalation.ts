/**
 * WHEN A TICKET CLIMBS. This is the one place to read to learn it.
 *
 * A ticket opens on the policy rule for its priority (and category). Its response and resolution
 * clocks start at once and count time on the rule's calendar. Each level of the rule says "after
 * N minutes on this clock, move to tier T and page these people on these channels", and may
 * repeat the page every so often, up to a number of times. Acknowledging stops the response
 * clock; resolving stops them all; waiting on the requester pauses them. While a ticket is open:
 *
 *  - a level falls due when its clock reaches its minutes (`dueItems`), and firing it (`fire`)
 *    raises the tier, hands the ticket to the tier's team, and at tier 3 with a vendor target
 *    hands it to the vendor (starting the vendor's own clocks from its contract);
 *  - a warning falls due at each percentage of a clock's target the rule lists (say 75%, 90%);
 *  - a breach falls due when a clock reaches its target.
 *
 * Everything due at an instant fires together, in time order (`fireDue`); each firing says what
 * to publish (an event) and whom to page (a notify command). A priority change or a policy
 * migration re-bases the clocks on the new rule without losing counted time (`applyRule`).
 *
 * Plain functions of the state and an instant (epoch ms): no Temporal, no I/O, no randomness.
 * The ticket workflow (workflows/src/workflows/ticket.ts) runs them against its state and its
 * own time; the policy preview (`previewEscalation`) runs them against an imagined ticket
 * nobody touches.
 */
import type {
  ClockName,
  ClockState,
  EscalationState,
  LevelState,
  NotifyCommand,
  PolicyRule,
  Ticket,
  TicketEscalationState,
  TicketStatus,
} from '@tierline/contracts';
import { MS_PER_MINUTE as MIN } from '../policy/calendar.js';
import { dueAt, elapsedMs, instantAt, newClock, rebaseClock, startClock, type CalendarOf } from './clocks.js';

/** Statuses in which clocks run and levels fire. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'acknowledged', 'in_progress', 'waiting_on_requester', 'waiting_on_vendor'];
export const isOpenStatus = (status: TicketStatus): boolean => OPEN_STATUSES.includes(status);

/** What the rules need from the ticket's policy. The workflow's versions fail the run when the policy lacks a rule or calendar. */
export interface EscalationContext {
  calendar: CalendarOf;
  /** The rule for the ticket's current priority and category. */
  rule: () => PolicyRule;
}

/** Something that falls due on a clock: a level (or its repeat), a pre-breach warning, or a breach. */
export type DueItem =
  | { kind: 'level'; at: number; level: LevelState }
  | { kind: 'warning'; at: number; clock: ClockState; percent: number }
  | { kind: 'breach'; at: number; clock: ClockState };

export interface Deadline {
  at: number;
  kind: string;
}

export type OpeningTicket = Pick<
  Ticket,
  'id' | 'number' | 'siteId' | 'category' | 'status' | 'priority' | 'tier' | 'teamId' | 'assigneeId' | 'vendorOrgId' | 'createdAt'
>;

/** The escalation state of a ticket just opened on `rule`: response and resolution clocks running from its creation. */
export function initialEscalationState(ticket: OpeningTicket, policyVersion: number, rule: PolicyRule): TicketEscalationState {
  const openedMs = Date.parse(ticket.createdAt);
  const vendor = rule.vendorContract;
  return {
    ticketId: ticket.id,
    number: ticket.number,
    siteId: ticket.siteId,
    category: ticket.category,
    status: ticket.status,
    priority: ticket.priority,
    tier: ticket.tier,
    teamId: ticket.teamId,
    assigneeId: ticket.assigneeId,
    vendorOrgId: ticket.vendorOrgId,
    policyVersion,
    openedAt: ticket.createdAt,
    acknowledgedAt: null,
    resolvedAt: null,
    clocks: {
      response: newClock('response', rule.calendar, rule.responseTargetMinutes, openedMs),
      resolution: newClock('resolution', rule.calendar, rule.resolutionTargetMinutes, openedMs),
      vendor_response: newClock('vendor_response', vendor?.calendar ?? rule.calendar, vendor?.responseTargetMinutes ?? 0, null),
      vendor_resolution: newClock('vendor_resolution', vendor?.calendar ?? rule.calendar, vendor?.resolutionTargetMinutes ?? 0, null),
    },
    levels: [],
    escalations: [],
    events: [],
    runs: 0,
  };
}

/**
 * The levels of `rule`, measured on the state's clocks at `at`. A level whose threshold has
 * already passed on its clock and whose tier the ticket already holds is marked done (no page for
 * what already happened); one that passed but would raise the tier fires at once. At opening
 * nothing has happened yet, so every level is still to fire: a level after 0 minutes (a
 * medical-device P1 paging biomed on call) pages at once.
 */
export function buildLevels(state: TicketEscalationState, rule: PolicyRule, at: number, calendarOf: CalendarOf, opening = false): LevelState[] {
  return rule.levels.map((l, index) => {
    const clock = state.clocks[l.after.clock];
    const passed = elapsedMs(clock, at, calendarOf) >= l.after.minutes * MIN;
    const maxRepeats = l.repeatEveryMinutes ? (l.maxRepeats ?? 0) : 0;
    const done = !opening && passed && state.tier >= l.tier;
    return {
      index,
      clock: l.after.clock,
      afterMinutes: l.after.minutes,
      tier: l.tier,
      targets: l.targets,
      channels: l.channels,
      repeatEveryMinutes: l.repeatEveryMinutes ?? null,
      maxRepeats,
      fired: done ? 1 + maxRepeats : 0,
      nextDueClockMs: l.after.minutes * MIN,
    };
  });
}

/** After a priority change or policy migration: the new rule's targets and levels, same counted time. */
export function applyRule(state: TicketEscalationState, at: number, ctx: EscalationContext): void {
  const r = ctx.rule();
  rebaseClock(state.clocks.response, at, r.calendar, r.responseTargetMinutes, ctx.calendar);
  rebaseClock(state.clocks.resolution, at, r.calendar, r.resolutionTargetMinutes, ctx.calendar);
  if (r.vendorContract && state.vendorOrgId) {
    for (const [name, target] of [
      ['vendor_response', r.vendorContract.responseTargetMinutes],
      ['vendor_resolution', r.vendorContract.resolutionTargetMinutes],
    ] as const) {
      const c = state.clocks[name];
      if (c.state === 'not_started') Object.assign(c, { calendar: r.vendorContract.calendar, targetMinutes: target });
      else rebaseClock(c, at, r.vendorContract.calendar, target, ctx.calendar);
    }
  }
  state.levels = buildLevels(state, r, at, ctx.calendar);
}

/** After a reopen: resolution-clock levels are measured on the (restarted or resumed) clock again. */
export function remeasureResolutionLevels(state: TicketEscalationState, at: number, calendarOf: CalendarOf): void {
  const res = state.clocks.resolution;
  for (const l of state.levels) {
    if (l.clock !== 'resolution') continue;
    const passed = elapsedMs(res, at, calendarOf) >= l.afterMinutes * MIN;
    l.fired = passed && state.tier >= l.tier ? 1 + l.maxRepeats : 0;
    l.nextDueClockMs = l.afterMinutes * MIN;
  }
}

/** Hands the ticket to a vendor at tier 3; the vendor's response clock starts from its contract in the rule. */
export function handOff(state: TicketEscalationState, vendorOrgId: string, at: number, ctx: EscalationContext): void {
  state.vendorOrgId = vendorOrgId;
  state.tier = 3;
  state.status = 'waiting_on_vendor';
  const contract = ctx.rule().vendorContract;
  if (contract) {
    startClock(state.clocks.vendor_response, at, contract.calendar, contract.responseTargetMinutes);
    state.clocks.vendor_resolution.state = 'not_started';
    state.clocks.vendor_resolution.calendar = contract.calendar;
    state.clocks.vendor_resolution.targetMinutes = contract.resolutionTargetMinutes;
  }
}

/**
 * Whether the ticket is a child of a major incident (docs/decisions/0040). While linked it neither
 * escalates nor pages: its clocks keep counting (the clinic waits all the same), but nothing falls
 * due; the parent escalates for all. Once unlinked, whatever fell due meanwhile is due at once.
 */
export const isIncidentChild = (state: Pick<TicketEscalationState, 'incident'>): boolean => state.incident?.role === 'child';

/**
 * Everything still to fall due while nothing changes, earliest first. Nothing once the ticket is
 * resolved or closed, nor while it is linked to a major incident as a child.
 */
export function dueItems(state: TicketEscalationState, ctx: EscalationContext): DueItem[] {
  const items: DueItem[] = [];
  if (!isOpenStatus(state.status) || isIncidentChild(state)) return items;
  for (const level of state.levels) {
    if (level.fired >= 1 + level.maxRepeats) continue;
    const at = instantAt(state.clocks[level.clock], level.nextDueClockMs, ctx.calendar);
    if (at !== null) items.push({ kind: 'level', at, level });
  }
  for (const clock of Object.values(state.clocks)) {
    if (clock.state !== 'running') continue;
    const warnings = clock.name === 'response' || clock.name === 'resolution' ? (ctx.rule().warnings ?? []) : [];
    for (const percent of warnings) {
      if (clock.warningsSent.includes(percent)) continue;
      const at = instantAt(clock, (clock.targetMinutes * MIN * percent) / 100, ctx.calendar);
      if (at !== null) items.push({ kind: 'warning', at, clock, percent });
    }
    if (!clock.breached) {
      const at = dueAt(clock, ctx.calendar);
      if (at !== null) items.push({ kind: 'breach', at, clock });
    }
  }
  return items.sort((a, b) => a.at - b.at);
}

/** What a due item is called where people read it: "escalation to tier 2", "75% of response target". */
export function describeDue(item: DueItem): string {
  if (item.kind === 'level') return item.level.fired === 0 ? `escalation to tier ${item.level.tier}` : `repeat of tier ${item.level.tier} page`;
  const what = item.clock.name.replace('_', ' ');
  return item.kind === 'warning' ? `${item.percent}% of ${what} target` : `${what} target`;
}

/** The next thing due at or after `at` (else the earliest overdue one); null when nothing is. */
export function nextDeadline(state: TicketEscalationState, at: number, ctx: EscalationContext): Deadline | null {
  const next = dueItems(state, ctx).find((i) => i.at >= at) ?? dueItems(state, ctx)[0];
  return next ? { at: next.at, kind: describeDue(next) } : null;
}

/** When a clock reaches its target, named for a page; null when it is not running. */
export function clockDeadline(state: TicketEscalationState, name: ClockName, ctx: EscalationContext): Deadline | null {
  const at = dueAt(state.clocks[name], ctx.calendar);
  return at === null ? null : { at, kind: `${name.replace('_', ' ')} target` };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A page about the ticket: to a level's targets on its channels, or else to the ticket's team (the IT lead without one) by email. */
export function notifyCommand(
  state: TicketEscalationState,
  key: string,
  template: NotifyCommand['template'],
  level: LevelState | null,
  deadline: Deadline | null,
  at: number,
): NotifyCommand {
  return {
    idempotencyKey: key,
    template,
    ticketId: state.ticketId,
    ticketNumber: state.number,
    priority: state.priority,
    siteId: state.siteId,
    tier: state.tier,
    level: level ? level.index : null,
    targets: level ? level.targets : state.teamId ? [{ kind: 'team', teamId: state.teamId }] : [{ kind: 'it_lead' }],
    channels: level ? level.channels : ['email'],
    deadlineAt: deadline ? iso(deadline.at) : null,
    deadlineKind: deadline?.kind ?? null,
    createdAt: iso(at),
  };
}

/** What one firing emits: the event to publish (type and facts; the caller adds id, time and actor) and the page to send. */
export interface Firing {
  item: DueItem;
  event: { type: string; data: Record<string, unknown> };
  notify?: NotifyCommand;
}

/** Applies one due item to the state at `at`: an escalation level (or its repeat), a warning, or a breach. */
export function fire(state: TicketEscalationState, item: DueItem, at: number, ctx: EscalationContext): Firing {
  if (item.kind === 'level') {
    const level = item.level;
    const repeat = level.fired;
    level.fired += 1;
    if (level.repeatEveryMinutes) level.nextDueClockMs += level.repeatEveryMinutes * MIN;
    const fromTier = state.tier;
    if (level.tier > state.tier) state.tier = level.tier;
    const team = level.targets.find((t) => t.kind === 'team' || t.kind === 'on_call');
    if (team && 'teamId' in team && level.tier > fromTier) {
      // Reassignment on escalation: the new tier's team owns it; the assignment rules (or the
      // on-call rota) pick the person right after this step.
      state.teamId = team.teamId;
      state.assigneeId = null;
    }
    const vendor = level.targets.find((t) => t.kind === 'vendor');
    if (vendor && vendor.kind === 'vendor' && level.tier === 3 && state.vendorOrgId !== vendor.vendorOrgId) {
      handOff(state, vendor.vendorOrgId, at, ctx);
    }
    const idempotencyKey = `${state.ticketId}:escalation:${state.escalations.length}`;
    state.escalations.push({ level: level.index, tier: level.tier, repeat, at: iso(at), clock: level.clock, idempotencyKey });
    const deadline = state.vendorOrgId && level.tier === 3 ? clockDeadline(state, 'vendor_response', ctx) : clockDeadline(state, level.clock, ctx);
    const event = {
      type: repeat === 0 ? 'ticket.escalated' : 'ticket.escalation_repeated',
      data: {
        level: level.index,
        repeat,
        fromTier,
        tier: state.tier,
        clock: level.clock,
        afterMinutes: level.afterMinutes,
        targets: level.targets,
        channels: level.channels,
        policyVersion: state.policyVersion,
      },
    };
    return { item, event, notify: notifyCommand(state, idempotencyKey, repeat === 0 ? 'escalation' : 'escalation_repeat', level, deadline, at) };
  }
  if (item.kind === 'warning') {
    item.clock.warningsSent.push(item.percent);
    const key = `${state.ticketId}:warning:${item.clock.name}:${item.percent}:${state.policyVersion}:${state.priority}`;
    const event = { type: 'ticket.sla_warning', data: { clock: item.clock.name, percent: item.percent, tier: state.tier } };
    return { item, event, notify: notifyCommand(state, key, 'sla_warning', null, clockDeadline(state, item.clock.name, ctx), at) };
  }
  item.clock.breached = true;
  return { item, event: { type: 'ticket.sla_breached', data: { clock: item.clock.name, targetMinutes: item.clock.targetMinutes, tier: state.tier } } };
}

/**
 * Fires everything due by `at`, earliest first, as the items stood before the first firing (a
 * repeat that a firing makes due waits for the next call). Returns the firings in order.
 */
export function fireDue(state: TicketEscalationState, at: number, ctx: EscalationContext): Firing[] {
  const fired: Firing[] = [];
  for (const item of dueItems(state, ctx)) {
    if (item.at > at) break;
    fired.push(fire(state, item, at, ctx));
  }
  return fired;
}

/** The state as getState shows it at `at`: each clock's elapsed and remaining time, its deadline, the next deadline. */
export function escalationView(state: TicketEscalationState, at: number, ctx: EscalationContext): EscalationState {
  const clocks = Object.values(state.clocks).map((c) => {
    const elapsed = elapsedMs(c, at, ctx.calendar);
    const deadline = c.targetMinutes > 0 ? dueAt(c, ctx.calendar) : null;
    return {
      name: c.name,
      state: c.state,
      targetMinutes: c.targetMinutes,
      elapsedMinutes: Math.round((elapsed / MIN) * 100) / 100,
      remainingMinutes: Math.round((Math.max(0, c.targetMinutes * MIN - elapsed) / MIN) * 100) / 100,
      deadlineAt: deadline === null ? null : new Date(deadline).toISOString(),
      breached: c.breached,
    };
  });
  const next = nextDeadline(state, at, ctx);
  // The read model's revision is the workflow's bookkeeping, not part of the view.
  const { readModelRev: _rev, incidentReminded: _reminded, ...shown } = state;
  return {
    ...shown,
    incident: state.incident ?? null,
    clocks,
    currentLevel: state.escalations.filter((e) => e.repeat === 0).length,
    nextDeadline: next ? { at: new Date(next.at).toISOString(), kind: next.kind } : null,
    now: new Date(at).toISOString(),
  };
}
