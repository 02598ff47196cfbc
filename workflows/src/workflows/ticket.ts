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
import type { ClockState, EventEnvelope, NotifyCommand, PolicyRule, Priority } from '@tierline/contracts';
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
  type PolicySnapshot,
  type TicketEscalationState,
  type TicketStateView,
  type TicketWorkflowInput,
} from '../definitions.js';
import {
  applyRule as applyRuleAt,
  buildLevels,
  clockDeadline as clockDeadlineOf,
  escalationView,
  fireDue,
  dueItems as dueItemsOf,
  handOff as handOffAt,
  initialEscalationState,
  isOpenStatus,
  nextDeadline as nextDeadlineOf,
  notifyCommand as notifyCommandOf,
  pauseClock,
  remeasureResolutionLevels,
  resumeClock,
  ruleFor,
  startClock,
  stopClock,
  type EscalationContext,
} from '@tierline/domain';

const { recordTicketOpened, recordTicketEvent, autoAssign } = proxyActivities<TicketActivities & AssignmentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Continue as new well before Temporal's own limits, keeping replays of a long ticket cheap. */
const DEFAULT_HISTORY_LIMIT = 2_000;

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

  // The escalation rules (packages/domain/src/escalation) run on this context: the ticket's policy.
  const ctx: EscalationContext = { calendar: cal, rule };
  const pause = (c: ClockState, at: number) => pauseClock(c, at, cal);
  const resume = resumeClock;
  const stop = (c: ClockState, at: number) => stopClock(c, at, cal);
  const start = startClock;

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

  // ---- what is due ---------------------------------------------------------------------------
  const nextDeadline = (at: number) => nextDeadlineOf(state, at, ctx);
  const clockDeadline = (name: ClockState['name']) => clockDeadlineOf(state, name, ctx);
  const notifyCommand = (key: string, template: NotifyCommand['template'], deadline: { at: number; kind: string } | null): NotifyCommand =>
    notifyCommandOf(state, key, template, null, deadline, now());

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
  const isOpen = () => isOpenStatus(state.status);
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

  const view = (): TicketStateView => escalationView(state, now(), ctx);

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
          handOffAt(state, a.vendorOrgId, at, ctx);
          const key = `${state.ticketId}:handoff:${a.vendorOrgId}:${state.events.length}`;
          const noteId = a.reason?.trim() ? a.noteId : undefined;
          const event = makeEvent('ticket.handed_to_vendor', userActor(a), { vendorOrgId: a.vendorOrgId, fromTier, tier: 3, ...(noteId ? { noteId } : {}) });
          await record(event, {
            // IT's note for the vendor: hidden from the clinic, the one text the vendor reads besides its own.
            comment: note(a, noteId, 'handoff_note', 'internal', a.reason, at),
            notify: {
              ...notifyCommand(key, 'vendor_handoff', clockDeadline('vendor_response')),
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
          remeasureResolutionLevels(state, at, cal);
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
  const applyRule = (at: number) => applyRuleAt(state, at, ctx);

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
    state.levels = buildLevels(state, rule(), Date.parse(input.ticket.createdAt), cal, patched('levels-due-at-opening-fire'));
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
      const tierBefore = state.tier;
      let tier2Team: string | null = null;
      const fired = fireDue(state, now(), ctx).map(({ item, event, notify }) => {
        if (item.kind === 'level' && item.level.tier === 2) {
          const team = item.level.targets.find((t) => t.kind === 'team');
          if (team?.kind === 'team') tier2Team = team.teamId;
        }
        return { event: makeEvent(event.type, SYSTEM, event.data), notify };
      });
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
    const next = dueItemsOf(state, ctx)[0];
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
  const r = ruleFor(input.policy.policy, t.priority, t.category);
  if (!r) throw ApplicationFailure.nonRetryable(`policy v${input.policy.version} has no rule for ${t.priority}`, 'NoPolicyRule');
  return initialEscalationState(t, input.policy.version, r);
}
