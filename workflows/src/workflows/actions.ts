/**
 * Every action a person can take on a ticket, declared once: the update it arrives as, the check
 * that refuses an impossible transition with a clear message (run by the update's validator, and
 * again when the action's turn comes), and what it does. The workflow registers a handler for each
 * (ticket.ts); the clocks and levels they move are the escalation rules of packages/domain.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { patched, setHandler } from '@temporalio/workflow';
import { autoCloseAt, handOff, pauseClock, remeasureResolutionLevels, resumeClock, ruleFor, startClock, stopClock } from '@tierline/domain';
import {
  acknowledgeUpdate,
  assignUpdate,
  changePriorityUpdate,
  closeUpdate,
  commentUpdate,
  handToVendorUpdate,
  migratePolicyUpdate,
  reopenUpdate,
  resolveUpdate,
  resumeUpdate,
  vendorAcknowledgeUpdate,
  waitOnRequesterUpdate,
} from '@tierline/ticket-workflow';
import { afterAcknowledged, afterResolved, leaveOnReopen } from './incident.js';
import type { TicketRun } from './run.js';

export interface TicketAction {
  readonly name: string;
  /** Sets the update's handler on this run: validated on arrival, applied in turn. */
  register(run: TicketRun): void;
}

/**
 * An action: `validate` throws (run.refuse) when the ticket cannot take it now; `apply` changes
 * the state, records what happened and answers the caller.
 */
export function defineAction<Ret, Arg>(
  update: UpdateDefinition<Ret, [Arg]>,
  validate: (run: TicketRun, a: Arg) => void,
  apply: (run: TicketRun, a: Arg) => Promise<Ret>,
): TicketAction {
  return {
    name: update.name,
    register: (run) =>
      setHandler(
        update,
        (a) =>
          run.exclusive(
            () => validate(run, a),
            () => apply(run, a),
          ),
        { validator: (a) => validate(run, a) },
      ),
  };
}

/** The patch behind which a resolution sets the auto-close timer (decision 38). */
export const AUTO_CLOSE_PATCH = 'auto-close-after-resolve';

/** Stops every clock and marks the ticket resolved at `at`, its auto-close timer set (decision 38). */
export function markResolved(run: TicketRun, at: number): void {
  const { state } = run;
  for (const c of Object.values(state.clocks)) stopClock(c, at, run.ctx.calendar);
  state.status = 'resolved';
  state.resolvedAt = new Date(at).toISOString();
  // Tickets resolved before auto-close (decision 38) had no timer after the resolution:
  // their histories take the old path; new ones close on their own at the policy's time.
  state.autoCloseAt = patched(AUTO_CLOSE_PATCH) ? new Date(autoCloseAt(at, run.policy.policy)).toISOString() : null;
  state.awaitingPickupSince = null;
}

const tooShort = (text: string | undefined) => !text || text.trim().length < 3;

export const TICKET_ACTIONS: readonly TicketAction[] = [
  defineAction(
    acknowledgeUpdate,
    (run) => {
      run.requireOpen();
      // A reopened ticket is acknowledged once more: IT picking it up again (decision 38).
      if (run.state.acknowledgedAt && !run.state.awaitingPickupSince) run.refuse(`${run.state.number} was already acknowledged at ${run.state.acknowledgedAt}`);
    },
    async (run, by) => {
      const { state } = run;
      const at = run.now();
      const afterReopen = Boolean(state.awaitingPickupSince);
      const first = !state.acknowledgedAt;
      state.awaitingPickupSince = null;
      // The response clock measures the first acknowledgement only; picking up again leaves it as it stopped.
      if (!state.acknowledgedAt) {
        stopClock(state.clocks.response, at, run.ctx.calendar);
        state.acknowledgedAt = new Date(at).toISOString();
      }
      if (state.status === 'new') state.status = 'acknowledged';
      if (!state.assigneeId && by.actor.role !== 'vendor') state.assigneeId = by.actor.id;
      await run.record(run.userEvent('ticket.acknowledged', by, { tier: state.tier, ...(afterReopen ? { afterReopen: true } : {}) }));
      // A major incident's children follow its first acknowledgement (decision 40).
      if (first) await afterAcknowledged(run, by);
      return run.view();
    },
  ),

  defineAction(
    assignUpdate,
    (run, a) => {
      if (run.state.status === 'closed') run.refuse(`${run.state.number} is closed`);
      if (a.teamId === undefined && a.assigneeId === undefined) run.refuse('assign needs a teamId or an assigneeId');
    },
    async (run, a) => {
      const { state } = run;
      if (a.teamId !== undefined) state.teamId = a.teamId;
      if (a.assigneeId !== undefined) state.assigneeId = a.assigneeId;
      if (state.status === 'acknowledged' && state.assigneeId) state.status = 'in_progress';
      await run.record(run.userEvent('ticket.assigned', a, { teamId: state.teamId, assigneeId: state.assigneeId }));
      return run.view();
    },
  ),

  defineAction(
    changePriorityUpdate,
    (run, a) => {
      run.requireOpen();
      if (tooShort(a.reason)) run.refuse('a priority change needs a reason');
      if (a.priority === run.state.priority) run.refuse(`${run.state.number} is already ${a.priority}`);
      if (!ruleFor(run.policy.policy, a.priority, run.state.category)) run.refuse(`policy v${run.policy.version} has no rule for ${a.priority}`);
    },
    async (run, a) => {
      const at = run.now();
      const from = run.state.priority;
      run.state.priority = a.priority;
      run.applyRule(at);
      const event = run.userEvent('ticket.priority_changed', a, { from, to: a.priority, ...(a.reasonId ? { reasonId: a.reasonId } : {}) });
      await run.record(event, { comment: run.note(a, a.reasonId, 'priority_reason', 'internal', a.reason, at) });
      return run.view();
    },
  ),

  defineAction(
    waitOnRequesterUpdate,
    (run) => {
      run.requireOpen();
      if (run.state.status === 'waiting_on_requester') run.refuse(`${run.state.number} is already waiting on the requester`);
      if (run.state.status === 'waiting_on_vendor') run.refuse(`${run.state.number} is with the vendor; take it back before waiting on the requester`);
    },
    async (run, a) => {
      const { state } = run;
      const at = run.now();
      pauseClock(state.clocks.response, at, run.ctx.calendar);
      pauseClock(state.clocks.resolution, at, run.ctx.calendar);
      state.status = 'waiting_on_requester';
      const question = a.reason?.trim() ? a.questionId : undefined;
      await run.record(run.userEvent('ticket.waiting_on_requester', a, question ? { questionId: question } : {}), {
        comment: run.note(a, question, 'question', 'public', a.reason, at),
      });
      return run.view();
    },
  ),

  defineAction(
    resumeUpdate,
    (run) => {
      if (run.state.status !== 'waiting_on_requester') run.refuse(`${run.state.number} is not waiting on the requester`);
    },
    async (run, a) => {
      run.resume(run.now());
      await run.record(run.userEvent('ticket.resumed', a, {}));
      return run.view();
    },
  ),

  defineAction(
    handToVendorUpdate,
    (run, a) => {
      run.requireOpen();
      if (!a.vendorOrgId) run.refuse('hand to vendor needs a vendorOrgId');
      if (run.state.vendorOrgId === a.vendorOrgId && run.state.tier === 3) run.refuse(`${run.state.number} is already with ${a.vendorOrgId}`);
    },
    async (run, a) => {
      const { state } = run;
      const at = run.now();
      const fromTier = state.tier;
      handOff(state, a.vendorOrgId, at, run.ctx);
      const key = `${state.ticketId}:handoff:${a.vendorOrgId}:${state.events.length}`;
      const noteId = a.reason?.trim() ? a.noteId : undefined;
      const event = run.userEvent('ticket.handed_to_vendor', a, { vendorOrgId: a.vendorOrgId, fromTier, tier: 3, ...(noteId ? { noteId } : {}) });
      await run.record(event, {
        // IT's note for the vendor: hidden from the clinic, the one text the vendor reads besides its own.
        comment: run.note(a, noteId, 'handoff_note', 'internal', a.reason, at),
        notify: {
          ...run.notifyCommand(key, 'vendor_handoff', run.clockDeadline('vendor_response')),
          targets: [{ kind: 'vendor', vendorOrgId: a.vendorOrgId }],
          channels: ['email'],
        },
      });
      return run.view();
    },
  ),

  defineAction(
    vendorAcknowledgeUpdate,
    (run) => {
      run.requireOpen();
      if (run.state.tier !== 3 || !run.state.vendorOrgId) run.refuse(`${run.state.number} is not with a vendor`);
      if (run.state.clocks.vendor_response.state === 'stopped') run.refuse(`the vendor already acknowledged ${run.state.number}`);
    },
    async (run, a) => {
      const { state } = run;
      const at = run.now();
      stopClock(state.clocks.vendor_response, at, run.ctx.calendar);
      const vr = state.clocks.vendor_resolution;
      if (vr.state === 'not_started' && vr.targetMinutes > 0) startClock(vr, at, vr.calendar, vr.targetMinutes);
      await run.record(run.userEvent('ticket.vendor_acknowledged', a, { vendorOrgId: state.vendorOrgId, via: a.via ?? 'portal' }));
      return run.view();
    },
  ),

  defineAction(
    resolveUpdate,
    (run, a) => {
      run.requireOpen();
      if (tooShort(a.resolution)) run.refuse('resolving needs a resolution note');
    },
    async (run, a) => {
      const { state } = run;
      const at = run.now();
      markResolved(run, at);
      const event = run.userEvent('ticket.resolved', a, { tier: state.tier, ...(a.resolutionId ? { resolutionId: a.resolutionId } : {}) });
      await run.record(event, { comment: run.note(a, a.resolutionId, 'resolution', 'public', a.resolution, at) });
      // Resolving a major incident resolves its open children (decision 40).
      await afterResolved(run, a, a.resolutionId);
      return run.view();
    },
  ),

  defineAction(
    reopenUpdate,
    (run, a) => {
      if (run.state.status !== 'resolved') run.refuse(`${run.state.number} is ${run.state.status}; only a resolved ticket can be reopened`);
      if (tooShort(a.reason)) run.refuse('reopening needs a reason');
    },
    async (run, a) => {
      const { state } = run;
      // A child reopened ("not fixed") leaves its major incident first (decision 40).
      await leaveOnReopen(run, a);
      const at = run.now();
      const res = state.clocks.resolution;
      const reopenPolicy = run.policy.policy.reopenPolicy;
      if (reopenPolicy === 'restart_resolution_clock') {
        startClock(res, at, res.calendar, res.targetMinutes);
      } else {
        res.state = 'paused';
        resumeClock(res, at);
      }
      // Resolution-clock levels are measured on the restarted clock again.
      remeasureResolutionLevels(state, at, run.ctx.calendar);
      state.status = 'in_progress';
      state.resolvedAt = null;
      // Reopening cancels the auto-close; the next acknowledgement is the "picked up again".
      state.autoCloseAt = null;
      state.awaitingPickupSince = new Date(at).toISOString();
      const event = run.userEvent('ticket.reopened', a, { ...(a.reasonId ? { reasonId: a.reasonId } : {}), reopenPolicy });
      await run.record(event, { comment: run.note(a, a.reasonId, 'reopen_reason', 'public', a.reason, at) });
      return run.view();
    },
  ),

  defineAction(
    closeUpdate,
    (run) => {
      if (run.state.status !== 'resolved') run.refuse(`${run.state.number} is ${run.state.status}; only a resolved ticket can be closed`);
    },
    async (run, a) => {
      run.state.status = 'closed';
      // A close by hand makes the auto-close moot.
      run.state.autoCloseAt = null;
      await run.record(run.userEvent('ticket.closed', a, {}), {}, { closedAt: new Date(run.now()).toISOString() });
      return run.view();
    },
  ),

  defineAction(
    migratePolicyUpdate,
    (run, a) => {
      run.requireOpen();
      const { state } = run;
      if (a.policy.version <= state.policyVersion) run.refuse(`${state.number} already runs on policy v${state.policyVersion}; pick a newer version`);
      if (!ruleFor(a.policy.policy, state.priority, state.category)) run.refuse(`policy v${a.policy.version} has no rule for ${state.priority}`);
    },
    async (run, a) => {
      const at = run.now();
      const from = run.state.policyVersion;
      run.policy = a.policy;
      run.state.policyVersion = a.policy.version;
      run.applyRule(at);
      await run.record(run.userEvent('ticket.policy_migrated', a, { fromVersion: from, toVersion: a.policy.version }));
      return run.view();
    },
  ),

  defineAction(
    commentUpdate,
    (run, a) => {
      if (run.state.status === 'closed') run.refuse(`${run.state.number} is closed`);
      if (!a.body || !a.body.trim()) run.refuse('a comment needs text');
    },
    async (run, a) => {
      const { state } = run;
      const at = run.now();
      // A requester's public reply answers the question IT was waiting on.
      const resumes = state.status === 'waiting_on_requester' && a.visibility === 'public' && a.actor.id === run.requesterId;
      if (resumes) run.resume(at);
      const event = run.userEvent('ticket.commented', a, { commentId: a.commentId, visibility: a.visibility, resumed: resumes });
      await run.record(event, {
        comment: { id: a.commentId, authorId: a.actor.id, authorRole: a.actor.role, visibility: a.visibility, body: a.body, createdAt: new Date(at).toISOString() },
      });
      return { commentId: a.commentId };
    },
  ),
];
