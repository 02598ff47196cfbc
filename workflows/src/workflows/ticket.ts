import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { EventEnvelope, NotifyCommand, PolicyRule, Priority, TicketStatus } from '@tierline/contracts';
import type { ReadModelPatch, RecordInput, TicketActivities } from '../activities/index.js';
import type { AssignmentActivities } from '../activities/assignment.js';
import {
  acknowledgeUpdate,
  assignUpdate,
  changePriorityUpdate,
  closeUpdate,
  commentUpdate,
  getStateQuery,
  handToVendorUpdate,
  migratePolicyUpdate,
  reopenUpdate,
  resolveUpdate,
  resumeUpdate,
  searchAttributesFor,
  vendorAcknowledgeUpdate,
  waitOnRequesterUpdate,
  type ActionBy,
  type NoteKind,
  type ClockName,
  type ClockState,
  type LevelState,
  type PolicySnapshot,
  type TicketEscalationState,
  type TicketStateView,
  type TicketWorkflowInput,
} from '../definitions.js';
import { addBusinessMs, businessMsBetween, ruleFor } from '@tierline/domain';

const { recordTicketOpened, recordTicketEvent, autoAssign } = proxyActivities<TicketActivities & AssignmentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const MIN = 60_000;
const OPEN_STATUSES: TicketStatus[] = ['new', 'acknowledged', 'in_progress', 'waiting_on_requester', 'waiting_on_vendor'];
/** Continue as new well before Temporal's own limits, keeping replays of a long ticket cheap. */
const DEFAULT_HISTORY_LIMIT = 2_000;

type DueItem =
  | { kind: 'level'; at: number; level: LevelState }
  | { kind: 'warning'; at: number; clock: ClockState; percent: number }
  | { kind: 'breach'; at: number; clock: ClockState };

/**
 * One ticket's life, on the escalation policy version it was opened under. The workflow is the
 * only writer of escalation state; the ticket tables are its read model, kept current by
 * activities. Timers follow the policy's calendars; every action arrives as an update whose
 * validator refuses impossible transitions with a clear message.
 */
export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketEscalationState> {
  let policy: PolicySnapshot = input.policy;
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const requesterId = input.ticket.requesterId;
  const state: TicketEscalationState = input.carried ?? initialState(input);
  /** Bumped on every change, so the main loop recomputes its next timer. */
  let version = 0;
  let locked = false;
  let lastReadModel = '';

  const now = () => Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const rule = (): PolicyRule => {
    const r = ruleFor(policy.policy, state.priority, state.category);
    if (!r) throw ApplicationFailure.nonRetryable(`policy v${policy.version} has no rule for ${state.priority}`, 'NoPolicyRule');
    return r;
  };
  const cal = (name: string) => {
    const c = policy.policy.calendars[name];
    if (!c) throw ApplicationFailure.nonRetryable(`policy v${policy.version} has no calendar "${name}"`, 'NoCalendar');
    return c;
  };

  // ---- clocks -------------------------------------------------------------------------------
  const elapsedMs = (c: ClockState, at: number) =>
    c.runningSinceMs === null ? c.elapsedBeforeMs : c.elapsedBeforeMs + businessMsBetween(cal(c.calendar), c.runningSinceMs, at);
  /** The instant a running clock reaches `clockMs` of counted time; null when not running. */
  const instantAt = (c: ClockState, clockMs: number): number | null => {
    if (c.state !== 'running' || c.runningSinceMs === null) return null;
    const remaining = clockMs - c.elapsedBeforeMs;
    return remaining <= 0 ? c.runningSinceMs : addBusinessMs(cal(c.calendar), c.runningSinceMs, remaining);
  };
  const pause = (c: ClockState, at: number) => {
    if (c.state !== 'running') return;
    c.elapsedBeforeMs = elapsedMs(c, at);
    c.runningSinceMs = null;
    c.state = 'paused';
  };
  const resume = (c: ClockState, at: number) => {
    if (c.state !== 'paused') return;
    c.runningSinceMs = at;
    c.state = 'running';
  };
  const stop = (c: ClockState, at: number) => {
    if (c.state === 'stopped' || c.state === 'not_started') return;
    c.elapsedBeforeMs = elapsedMs(c, at);
    c.runningSinceMs = null;
    c.state = 'stopped';
    c.stoppedAtMs = at;
  };
  const start = (c: ClockState, at: number, calendar: string, targetMinutes: number) => {
    Object.assign(c, {
      calendar,
      targetMinutes,
      elapsedBeforeMs: 0,
      runningSinceMs: at,
      state: 'running',
      stoppedAtMs: null,
      warningsSent: [],
      breached: false,
    } satisfies Partial<ClockState>);
  };
  /** Re-bases a clock on another calendar or target without losing counted time. */
  const rebase = (c: ClockState, at: number, calendar: string, targetMinutes: number) => {
    const running = c.state === 'running';
    c.elapsedBeforeMs = elapsedMs(c, at);
    c.runningSinceMs = running ? at : null;
    c.calendar = calendar;
    c.targetMinutes = targetMinutes;
    c.breached = c.elapsedBeforeMs >= targetMinutes * MIN;
  };

  // ---- levels -------------------------------------------------------------------------------
  /**
   * Levels of the current rule. A level whose threshold has already passed on its clock and
   * whose tier the ticket already holds is marked done (no page for what already happened);
   * one that passed but would raise the tier fires at once. At opening nothing has happened
   * yet, so every level is still to fire: a level after 0 minutes (a medical-device P1 paging
   * biomed on call) pages at once.
   */
  const buildLevels = (at: number, opening = false): LevelState[] =>
    rule().levels.map((l, index) => {
      const clock = state.clocks[l.after.clock];
      const passed = elapsedMs(clock, at) >= l.after.minutes * MIN;
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

  // ---- recording ----------------------------------------------------------------------------
  const makeEvent = (type: string, actor: EventEnvelope['actor'], data: Record<string, unknown>): EventEnvelope => ({
    id: uuid4(),
    type,
    occurredAt: iso(now()),
    actor,
    ticketId: state.ticketId,
    data: { number: state.number, ...data },
    schemaVersion: 1,
  });
  const userActor = (by: ActionBy): EventEnvelope['actor'] => ({ kind: 'user', id: by.actor.id, role: by.actor.role });
  const SYSTEM: EventEnvelope['actor'] = { kind: 'system', id: 'ticket-workflow' };

  const snapshotPatch = (): ReadModelPatch => {
    const next = nextDeadline(now());
    return {
      status: state.status,
      priority: state.priority,
      tier: state.tier,
      teamId: state.teamId,
      assigneeId: state.assigneeId,
      vendorOrgId: state.vendorOrgId,
      escalationLevel: state.escalations.length,
      policyVersion: state.policyVersion,
      nextDeadlineAt: next ? iso(next.at) : null,
      nextDeadlineKind: next?.kind ?? null,
      slaAtRisk: Object.values(state.clocks).some((c) => c.breached || c.warningsSent.length > 0),
      acknowledgedAt: state.acknowledgedAt,
      resolvedAt: state.resolvedAt,
    };
  };

  /** One activity call writes everything a step decided: read model, events, pages. */
  const recordAll = async (events: EventEnvelope[], notifies: NotifyCommand[] = [], extra: Pick<RecordInput, 'comment'> = {}, patch: ReadModelPatch = {}) => {
    const full = { ...snapshotPatch(), ...patch };
    lastReadModel = JSON.stringify(full);
    await recordTicketEvent({ ticketId: state.ticketId, events, notifies, patch: full, ...extra });
    for (const e of events) state.events.push({ id: e.id, type: e.type, occurredAt: e.occurredAt });
    syncSearchAttributes();
  };
  /**
   * The free text of an action, stored with the ticket under the id its caller chose; the event
   * carries only that id (docs/decisions/0022). Nothing when there is no id (a history from
   * before ids) or no text.
   */
  const note = (by: ActionBy, id: string | undefined, kind: NoteKind, visibility: 'public' | 'internal', text: string | undefined, at: number): RecordInput['comment'] =>
    id && text?.trim() ? { id, authorId: by.actor.id, authorRole: by.actor.role, visibility, body: text.trim(), createdAt: iso(at), kind } : undefined;
  const record = (event: EventEnvelope, extra: { notify?: NotifyCommand; comment?: RecordInput['comment'] } = {}, patch: ReadModelPatch = {}) =>
    recordAll([event], extra.notify ? [extra.notify] : [], extra.comment ? { comment: extra.comment } : {}, patch);

  let lastSearchAttributes = '';
  const syncSearchAttributes = () => {
    const sa = { number: state.number, priority: state.priority, tier: state.tier, status: state.status, siteId: state.siteId, policyVersion: state.policyVersion };
    const key = JSON.stringify(sa);
    if (key === lastSearchAttributes) return;
    lastSearchAttributes = key;
    upsertSearchAttributes(searchAttributesFor(sa));
  };

  // ---- what is due --------------------------------------------------------------------------
  const dueItems = (): DueItem[] => {
    const items: DueItem[] = [];
    if (!OPEN_STATUSES.includes(state.status)) return items;
    for (const level of state.levels) {
      if (level.fired >= 1 + level.maxRepeats) continue;
      const at = instantAt(state.clocks[level.clock], level.nextDueClockMs);
      if (at !== null) items.push({ kind: 'level', at, level });
    }
    for (const clock of Object.values(state.clocks)) {
      if (clock.state !== 'running') continue;
      const warnings = clock.name === 'response' || clock.name === 'resolution' ? (rule().warnings ?? []) : [];
      for (const percent of warnings) {
        if (clock.warningsSent.includes(percent)) continue;
        const at = instantAt(clock, (clock.targetMinutes * MIN * percent) / 100);
        if (at !== null) items.push({ kind: 'warning', at, clock, percent });
      }
      if (!clock.breached) {
        const at = instantAt(clock, clock.targetMinutes * MIN);
        if (at !== null) items.push({ kind: 'breach', at, clock });
      }
    }
    return items.sort((a, b) => a.at - b.at);
  };

  const describe = (item: DueItem): string => {
    if (item.kind === 'level') return item.level.fired === 0 ? `escalation to tier ${item.level.tier}` : `repeat of tier ${item.level.tier} page`;
    const what = item.clock.name.replace('_', ' ');
    return item.kind === 'warning' ? `${item.percent}% of ${what} target` : `${what} target`;
  };

  const nextDeadline = (at: number): { at: number; kind: string } | null => {
    const next = dueItems().find((i) => i.at >= at) ?? dueItems()[0];
    return next ? { at: next.at, kind: describe(next) } : null;
  };

  const notifyCommand = (key: string, template: NotifyCommand['template'], level: LevelState | null, deadline: { at: number; kind: string } | null): NotifyCommand => ({
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
    createdAt: iso(now()),
  });

  const clockDeadline = (name: ClockName): { at: number; kind: string } | null => {
    const c = state.clocks[name];
    const at = instantAt(c, c.targetMinutes * MIN);
    return at === null ? null : { at, kind: `${name.replace('_', ' ')} target` };
  };

  /** Applies one due item to the state: an escalation level (or its repeat), a warning, or a breach. */
  const fire = (item: DueItem): { event: EventEnvelope; notify?: NotifyCommand } => {
    const at = now();
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
        // on-call rota) pick the person right after this step (assignFor).
        state.teamId = team.teamId;
        state.assigneeId = null;
      }
      const vendor = level.targets.find((t) => t.kind === 'vendor');
      if (vendor && vendor.kind === 'vendor' && level.tier === 3 && state.vendorOrgId !== vendor.vendorOrgId) {
        handOff(vendor.vendorOrgId, at);
      }
      const idempotencyKey = `${state.ticketId}:escalation:${state.escalations.length}`;
      state.escalations.push({ level: level.index, tier: level.tier, repeat, at: iso(at), clock: level.clock, idempotencyKey });
      const deadline = state.vendorOrgId && level.tier === 3 ? clockDeadline('vendor_response') : clockDeadline(level.clock);
      const event = makeEvent(repeat === 0 ? 'ticket.escalated' : 'ticket.escalation_repeated', SYSTEM, {
        level: level.index,
        repeat,
        fromTier,
        tier: state.tier,
        clock: level.clock,
        afterMinutes: level.afterMinutes,
        targets: level.targets,
        channels: level.channels,
        policyVersion: state.policyVersion,
      });
      return { event, notify: notifyCommand(idempotencyKey, repeat === 0 ? 'escalation' : 'escalation_repeat', level, deadline) };
    }
    if (item.kind === 'warning') {
      item.clock.warningsSent.push(item.percent);
      const key = `${state.ticketId}:warning:${item.clock.name}:${item.percent}:${state.policyVersion}:${state.priority}`;
      const event = makeEvent('ticket.sla_warning', SYSTEM, { clock: item.clock.name, percent: item.percent, tier: state.tier });
      return { event, notify: notifyCommand(key, 'sla_warning', null, clockDeadline(item.clock.name)) };
    }
    item.clock.breached = true;
    return { event: makeEvent('ticket.sla_breached', SYSTEM, { clock: item.clock.name, targetMinutes: item.clock.targetMinutes, tier: state.tier }) };
  };

  const handOff = (vendorOrgId: string, at: number) => {
    state.vendorOrgId = vendorOrgId;
    state.tier = 3;
    state.status = 'waiting_on_vendor';
    const contract = rule().vendorContract;
    if (contract) {
      start(state.clocks.vendor_response, at, contract.calendar, contract.responseTargetMinutes);
      state.clocks.vendor_resolution.state = 'not_started';
      state.clocks.vendor_resolution.calendar = contract.calendar;
      state.clocks.vendor_resolution.targetMinutes = contract.resolutionTargetMinutes;
    }
  };

  /**
   * Automated assignment: the rules pick the team (and, when someone qualifies, the person) for
   * tier 1 at opening and again on escalation to tier 2. Recorded as a system assignment.
   */
  const assignFor = async (tier: 1 | 2, teamId?: string | null) => {
    const d = await autoAssign({
      ticketId: state.ticketId,
      category: state.category,
      siteId: state.siteId,
      priority: state.priority,
      tier,
      atMs: now(),
      ...(teamId ? { teamId } : {}),
    });
    if (d.teamId === state.teamId && (d.assigneeId === null || d.assigneeId === state.assigneeId)) return;
    if (d.teamId) state.teamId = d.teamId;
    if (d.assigneeId) state.assigneeId = d.assigneeId;
    await record(makeEvent('ticket.assigned', SYSTEM, { teamId: state.teamId, assigneeId: state.assigneeId, tier, via: d.via }));
  };

  // ---- actions --------------------------------------------------------------------------------
  const isOpen = () => OPEN_STATUSES.includes(state.status);
  const refuse = (message: string): never => {
    throw ApplicationFailure.nonRetryable(message, 'InvalidTransition');
  };
  const requireOpen = () => {
    if (!isOpen()) refuse(`${state.number} is ${state.status}; reopen it first`);
  };

  /** Runs an action's body one at a time (handlers can interleave at activity awaits). */
  const exclusive = async <T>(validate: () => void, body: () => Promise<T>): Promise<T> => {
    await condition(() => !locked);
    locked = true;
    try {
      validate(); // again: the state may have moved while this update waited its turn
      const result = await body();
      version++;
      return result;
    } finally {
      locked = false;
    }
  };

  const validators = {
    acknowledge: () => {
      requireOpen();
      if (state.acknowledgedAt) refuse(`${state.number} was already acknowledged at ${state.acknowledgedAt}`);
    },
    assign: (a: { teamId?: string | null; assigneeId?: string | null }) => {
      if (state.status === 'closed') refuse(`${state.number} is closed`);
      if (a.teamId === undefined && a.assigneeId === undefined) refuse('assign needs a teamId or an assigneeId');
    },
    changePriority: (a: { priority: Priority; reason: string }) => {
      requireOpen();
      if (!a.reason || a.reason.trim().length < 3) refuse('a priority change needs a reason');
      if (a.priority === state.priority) refuse(`${state.number} is already ${a.priority}`);
      if (!ruleFor(policy.policy, a.priority, state.category)) refuse(`policy v${policy.version} has no rule for ${a.priority}`);
    },
    waitOnRequester: () => {
      requireOpen();
      if (state.status === 'waiting_on_requester') refuse(`${state.number} is already waiting on the requester`);
      if (state.status === 'waiting_on_vendor') refuse(`${state.number} is with the vendor; take it back before waiting on the requester`);
    },
    resume: () => {
      if (state.status !== 'waiting_on_requester') refuse(`${state.number} is not waiting on the requester`);
    },
    handToVendor: (a: { vendorOrgId: string }) => {
      requireOpen();
      if (!a.vendorOrgId) refuse('hand to vendor needs a vendorOrgId');
      if (state.vendorOrgId === a.vendorOrgId && state.tier === 3) refuse(`${state.number} is already with ${a.vendorOrgId}`);
    },
    vendorAcknowledge: () => {
      requireOpen();
      if (state.tier !== 3 || !state.vendorOrgId) refuse(`${state.number} is not with a vendor`);
      if (state.clocks.vendor_response.state === 'stopped') refuse(`the vendor already acknowledged ${state.number}`);
    },
    resolve: (a: { resolution: string }) => {
      requireOpen();
      if (!a.resolution || a.resolution.trim().length < 3) refuse('resolving needs a resolution note');
    },
    reopen: (a: { reason: string }) => {
      if (state.status !== 'resolved') refuse(`${state.number} is ${state.status}; only a resolved ticket can be reopened`);
      if (!a.reason || a.reason.trim().length < 3) refuse('reopening needs a reason');
    },
    close: () => {
      if (state.status !== 'resolved') refuse(`${state.number} is ${state.status}; only a resolved ticket can be closed`);
    },
    migratePolicy: (a: { policy: PolicySnapshot }) => {
      requireOpen();
      if (a.policy.version <= state.policyVersion) refuse(`${state.number} already runs on policy v${state.policyVersion}; pick a newer version`);
      if (!ruleFor(a.policy.policy, state.priority, state.category)) refuse(`policy v${a.policy.version} has no rule for ${state.priority}`);
    },
    comment: (a: { body: string; visibility: 'public' | 'internal' }) => {
      if (state.status === 'closed') refuse(`${state.number} is closed`);
      if (!a.body || !a.body.trim()) refuse('a comment needs text');
    },
  };

  const view = (): TicketStateView => viewOf(state, now(), elapsedMs, instantAt, nextDeadline);

  setHandler(getStateQuery, view);

  setHandler(
    acknowledgeUpdate,
    (by) =>
      exclusive(validators.acknowledge, async () => {
        const at = now();
        stop(state.clocks.response, at);
        state.acknowledgedAt = iso(at);
        if (state.status === 'new') state.status = 'acknowledged';
        if (!state.assigneeId && by.actor.role !== 'vendor') state.assigneeId = by.actor.id;
        await record(makeEvent('ticket.acknowledged', userActor(by), { tier: state.tier }));
        return view();
      }),
    { validator: (_a) => validators.acknowledge() },
  );

  setHandler(
    assignUpdate,
    (a) =>
      exclusive(
        () => validators.assign(a),
        async () => {
          if (a.teamId !== undefined) state.teamId = a.teamId;
          if (a.assigneeId !== undefined) state.assigneeId = a.assigneeId;
          if (state.status === 'acknowledged' && state.assigneeId) state.status = 'in_progress';
          await record(makeEvent('ticket.assigned', userActor(a), { teamId: state.teamId, assigneeId: state.assigneeId }));
          return view();
        },
      ),
    { validator: (a) => validators.assign(a) },
  );

  setHandler(
    changePriorityUpdate,
    (a) =>
      exclusive(
        () => validators.changePriority(a),
        async () => {
          const at = now();
          const from = state.priority;
          state.priority = a.priority;
          applyRule(at);
          const event = makeEvent('ticket.priority_changed', userActor(a), { from, to: a.priority, ...(a.reasonId ? { reasonId: a.reasonId } : {}) });
          await record(event, { comment: note(a, a.reasonId, 'priority_reason', 'internal', a.reason, at) });
          return view();
        },
      ),
    { validator: (a) => validators.changePriority(a) },
  );

  setHandler(
    waitOnRequesterUpdate,
    (a) =>
      exclusive(validators.waitOnRequester, async () => {
        const at = now();
        pause(state.clocks.response, at);
        pause(state.clocks.resolution, at);
        state.status = 'waiting_on_requester';
        const question = a.reason?.trim() ? a.questionId : undefined;
        await record(makeEvent('ticket.waiting_on_requester', userActor(a), question ? { questionId: question } : {}), {
          comment: note(a, question, 'question', 'public', a.reason, at),
        });
        return view();
      }),
    { validator: (_a) => validators.waitOnRequester() },
  );

  const doResume = (at: number) => {
    resume(state.clocks.response, at);
    resume(state.clocks.resolution, at);
    state.status = state.acknowledgedAt ? 'in_progress' : 'new';
  };

  setHandler(
    resumeUpdate,
    (a) =>
      exclusive(validators.resume, async () => {
        doResume(now());
        await record(makeEvent('ticket.resumed', userActor(a), {}));
        return view();
      }),
    { validator: (_a) => validators.resume() },
  );

  setHandler(
    handToVendorUpdate,
    (a) =>
      exclusive(
        () => validators.handToVendor(a),
        async () => {
          const at = now();
          const fromTier = state.tier;
          handOff(a.vendorOrgId, at);
          const key = `${state.ticketId}:handoff:${a.vendorOrgId}:${state.events.length}`;
          const noteId = a.reason?.trim() ? a.noteId : undefined;
          const event = makeEvent('ticket.handed_to_vendor', userActor(a), { vendorOrgId: a.vendorOrgId, fromTier, tier: 3, ...(noteId ? { noteId } : {}) });
          await record(event, {
            // IT's note for the vendor: hidden from the clinic, the one text the vendor reads besides its own.
            comment: note(a, noteId, 'handoff_note', 'internal', a.reason, at),
            notify: {
              ...notifyCommand(key, 'vendor_handoff', null, clockDeadline('vendor_response')),
              targets: [{ kind: 'vendor', vendorOrgId: a.vendorOrgId }],
              channels: ['email'],
            },
          });
          return view();
        },
      ),
    { validator: (a) => validators.handToVendor(a) },
  );

  setHandler(
    vendorAcknowledgeUpdate,
    (a) =>
      exclusive(validators.vendorAcknowledge, async () => {
        const at = now();
        stop(state.clocks.vendor_response, at);
        const vr = state.clocks.vendor_resolution;
        if (vr.state === 'not_started' && vr.targetMinutes > 0) start(vr, at, vr.calendar, vr.targetMinutes);
        await record(makeEvent('ticket.vendor_acknowledged', userActor(a), { vendorOrgId: state.vendorOrgId, via: a.via ?? 'portal' }));
        return view();
      }),
    { validator: (_a) => validators.vendorAcknowledge() },
  );

  setHandler(
    resolveUpdate,
    (a) =>
      exclusive(
        () => validators.resolve(a),
        async () => {
          const at = now();
          for (const c of Object.values(state.clocks)) stop(c, at);
          state.status = 'resolved';
          state.resolvedAt = iso(at);
          const event = makeEvent('ticket.resolved', userActor(a), { tier: state.tier, ...(a.resolutionId ? { resolutionId: a.resolutionId } : {}) });
          await record(event, { comment: note(a, a.resolutionId, 'resolution', 'public', a.resolution, at) });
          return view();
        },
      ),
    { validator: (a) => validators.resolve(a) },
  );

  setHandler(
    reopenUpdate,
    (a) =>
      exclusive(
        () => validators.reopen(a),
        async () => {
          const at = now();
          const res = state.clocks.resolution;
          if (policy.policy.reopenPolicy === 'restart_resolution_clock') {
            start(res, at, res.calendar, res.targetMinutes);
          } else {
            res.state = 'paused';
            resume(res, at);
          }
          // Resolution-clock levels are measured on the restarted clock again.
          for (const l of state.levels) {
            if (l.clock !== 'resolution') continue;
            const passed = elapsedMs(res, at) >= l.afterMinutes * MIN;
            l.fired = passed && state.tier >= l.tier ? 1 + l.maxRepeats : 0;
            l.nextDueClockMs = l.afterMinutes * MIN;
          }
          state.status = 'in_progress';
          state.resolvedAt = null;
          const event = makeEvent('ticket.reopened', userActor(a), { ...(a.reasonId ? { reasonId: a.reasonId } : {}), reopenPolicy: policy.policy.reopenPolicy });
          await record(event, { comment: note(a, a.reasonId, 'reopen_reason', 'public', a.reason, at) });
          return view();
        },
      ),
    { validator: (a) => validators.reopen(a) },
  );

  setHandler(
    closeUpdate,
    (a) =>
      exclusive(validators.close, async () => {
        state.status = 'closed';
        await record(makeEvent('ticket.closed', userActor(a), {}), {}, { closedAt: iso(now()) });
        return view();
      }),
    { validator: (_a) => validators.close() },
  );

  setHandler(
    migratePolicyUpdate,
    (a) =>
      exclusive(
        () => validators.migratePolicy(a),
        async () => {
          const at = now();
          const from = state.policyVersion;
          policy = a.policy;
          state.policyVersion = a.policy.version;
          applyRule(at);
          await record(makeEvent('ticket.policy_migrated', userActor(a), { fromVersion: from, toVersion: a.policy.version }));
          return view();
        },
      ),
    { validator: (a) => validators.migratePolicy(a) },
  );

  setHandler(
    commentUpdate,
    (a) =>
      exclusive(
        () => validators.comment(a),
        async () => {
          const at = now();
          // A requester's public reply answers the question IT was waiting on.
          const resumes = state.status === 'waiting_on_requester' && a.visibility === 'public' && a.actor.id === requesterId;
          if (resumes) doResume(at);
          const event = makeEvent('ticket.commented', userActor(a), { commentId: a.commentId, visibility: a.visibility, resumed: resumes });
          await record(event, {
            comment: { id: a.commentId, authorId: a.actor.id, authorRole: a.actor.role, visibility: a.visibility, body: a.body, createdAt: iso(at) },
          });
          return { commentId: a.commentId };
        },
      ),
    { validator: (a) => validators.comment(a) },
  );

  /** After a priority change or policy migration: new targets and levels, same elapsed time. */
  const applyRule = (at: number) => {
    const r = rule();
    rebase(state.clocks.response, at, r.calendar, r.responseTargetMinutes);
    rebase(state.clocks.resolution, at, r.calendar, r.resolutionTargetMinutes);
    if (r.vendorContract && state.vendorOrgId) {
      for (const [name, target] of [
        ['vendor_response', r.vendorContract.responseTargetMinutes],
        ['vendor_resolution', r.vendorContract.resolutionTargetMinutes],
      ] as const) {
        const c = state.clocks[name];
        if (c.state === 'not_started') Object.assign(c, { calendar: r.vendorContract.calendar, targetMinutes: target });
        else rebase(c, at, r.vendorContract.calendar, target);
      }
    }
    state.levels = buildLevels(at);
  };

  // ---- the life of the ticket -----------------------------------------------------------------
  // Actions wait until the ticket is fully opened (recorded and assigned by the rules).
  locked = true;
  if (!input.carried) {
    const created = makeEvent('ticket.created', { kind: 'user', id: input.openedBy.id, role: input.openedBy.role }, {
      siteId: state.siteId,
      category: state.category,
      impact: input.ticket.impact,
      urgency: input.ticket.urgency,
      patientCareAffected: input.ticket.patientCareAffected,
      priority: state.priority,
      tier: state.tier,
      status: state.status,
      policyVersion: state.policyVersion,
      requesterId,
    });
    // Free text (title, description) stays out of events: they feed audit and notifications,
    // which must not spread patient details.
    created.occurredAt = input.ticket.createdAt;
    // Tickets opened before this patch marked a 0-minute level at the opening tier as done.
    state.levels = buildLevels(Date.parse(input.ticket.createdAt), patched('levels-due-at-opening-fire'));
    const patch = snapshotPatch();
    lastReadModel = JSON.stringify(patch);
    await recordTicketOpened({ ticket: input.ticket, event: created, patch });
    state.events.push({ id: created.id, type: created.type, occurredAt: created.occurredAt });
    await assignFor(1);
  } else {
    state.runs += 1;
  }
  locked = false;
  syncSearchAttributes();

  while (state.status !== 'closed') {
    await condition(() => !locked);
    locked = true;
    try {
      // Everything due now is decided first and written in one activity, so a burst of timers
      // (a level and its breach at the same minute) costs one round trip, not several.
      const fired = [];
      const tierBefore = state.tier;
      let tier2Team: string | null = null;
      for (const item of dueItems()) {
        if (item.at > now()) break;
        fired.push(fire(item));
        if (item.kind === 'level' && item.level.tier === 2) {
          const team = item.level.targets.find((t) => t.kind === 'team');
          if (team?.kind === 'team') tier2Team = team.teamId;
        }
      }
      if (fired.length > 0) version++;
      // Keep the read model's "next deadline" current even when nothing fired.
      if (fired.length > 0 || JSON.stringify(snapshotPatch()) !== lastReadModel) {
        await recordAll(
          fired.map((f) => f.event),
          fired.flatMap((f) => (f.notify ? [f.notify] : [])),
        );
      }
      // Reassignment on escalation to tier 2.
      if (tierBefore < 2 && state.tier === 2) await assignFor(2, tier2Team);
    } finally {
      locked = false;
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > historyLimit) break;
    const seen = version;
    const next = dueItems()[0];
    if (next) await condition(() => version !== seen || state.status === 'closed', Math.max(next.at - now(), 1));
    else await condition(() => version !== seen || state.status === 'closed');
  }

  await condition(allHandlersFinished);
  if (state.status !== 'closed') {
    // Long-lived ticket: start a fresh history carrying everything this run knew.
    const carried: TicketEscalationState = { ...state, events: state.events.slice(-50) };
    await continueAsNew<typeof ticketWorkflow>({ ...input, policy, carried });
  }
  return state;
}

function initialState(input: TicketWorkflowInput): TicketEscalationState {
  const t = input.ticket;
  const openedMs = Date.parse(t.createdAt);
  const r = ruleFor(input.policy.policy, t.priority, t.category);
  if (!r) throw ApplicationFailure.nonRetryable(`policy v${input.policy.version} has no rule for ${t.priority}`, 'NoPolicyRule');
  const clock = (name: ClockName, calendar: string, targetMinutes: number, running: boolean): ClockState => ({
    name,
    calendar,
    targetMinutes,
    elapsedBeforeMs: 0,
    runningSinceMs: running ? openedMs : null,
    state: running ? 'running' : 'not_started',
    stoppedAtMs: null,
    warningsSent: [],
    breached: false,
  });
  const vendor = r.vendorContract;
  return {
    ticketId: t.id,
    number: t.number,
    siteId: t.siteId,
    category: t.category,
    status: t.status,
    priority: t.priority,
    tier: t.tier,
    teamId: t.teamId,
    assigneeId: t.assigneeId,
    vendorOrgId: t.vendorOrgId,
    policyVersion: input.policy.version,
    openedAt: t.createdAt,
    acknowledgedAt: null,
    resolvedAt: null,
    clocks: {
      response: clock('response', r.calendar, r.responseTargetMinutes, true),
      resolution: clock('resolution', r.calendar, r.resolutionTargetMinutes, true),
      vendor_response: clock('vendor_response', vendor?.calendar ?? r.calendar, vendor?.responseTargetMinutes ?? 0, false),
      vendor_resolution: clock('vendor_resolution', vendor?.calendar ?? r.calendar, vendor?.resolutionTargetMinutes ?? 0, false),
    },
    levels: [],
    escalations: [],
    events: [],
    runs: 0,
  };
}

function viewOf(
  state: TicketEscalationState,
  at: number,
  elapsedMs: (c: ClockState, at: number) => number,
  instantAt: (c: ClockState, clockMs: number) => number | null,
  nextDeadline: (at: number) => { at: number; kind: string } | null,
): TicketStateView {
  const clocks = Object.values(state.clocks).map((c) => {
    const elapsed = elapsedMs(c, at);
    const deadline = c.targetMinutes > 0 ? instantAt(c, c.targetMinutes * MIN) : null;
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
  const next = nextDeadline(at);
  return {
    ...state,
    clocks,
    currentLevel: state.escalations.filter((e) => e.repeat === 0).length,
    nextDeadline: next ? { at: new Date(next.at).toISOString(), kind: next.kind } : null,
    now: new Date(at).toISOString(),
  };
}
