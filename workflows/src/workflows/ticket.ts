import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { TicketEscalationState } from '@tierline/contracts';
import { buildLevels, dueItems, fireDue, initialEscalationState, ruleFor } from '@tierline/domain';
import { getStateQuery, type TicketWorkflowInput } from '@tierline/ticket-workflow';
import { TICKET_ACTIONS } from './actions.js';
import { registerIncidents, reminderDueAt, remindIfDue } from './incident.js';
import { SYSTEM, TicketRun } from './run.js';

/** Continue as new well before Temporal's own limits, keeping replays of a long ticket cheap. */
const DEFAULT_HISTORY_LIMIT = 2_000;

/**
 * One ticket's life, on the escalation policy version it was opened under. The workflow is the
 * only writer of escalation state; the ticket tables are its read model, kept current by
 * activities. Timers follow the policy's calendars; every action arrives as an update whose
 * validator refuses impossible transitions with a clear message.
 *
 * This file is the wiring only. When a ticket climbs: packages/domain/src/escalation/escalation.ts.
 * What each action does: ./actions.ts. How a step is recorded: ./run.ts.
 */
export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketEscalationState> {
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const run = new TicketRun(input.carried ?? initialState(input), input.policy, input.ticket.requesterId);
  const { state } = run;

  setHandler(getStateQuery, () => run.view());
  for (const action of TICKET_ACTIONS) action.register(run);
  registerIncidents(run);

  // ---- the opening ------------------------------------------------------------------------------
  // Actions wait until the ticket is fully opened (recorded and assigned by the rules).
  run.locked = true;
  if (!input.carried) {
    const created = run.event('ticket.created', { kind: 'user', id: input.openedBy.id, role: input.openedBy.role }, {
      siteId: state.siteId,
      category: state.category,
      impact: input.ticket.impact,
      urgency: input.ticket.urgency,
      patientCareAffected: input.ticket.patientCareAffected,
      priority: state.priority,
      tier: state.tier,
      status: state.status,
      policyVersion: state.policyVersion,
      requesterId: run.requesterId,
    });
    // Free text (title, description) stays out of events: they feed audit and notifications,
    // which must not spread patient details.
    created.occurredAt = input.ticket.createdAt;
    // Tickets opened before this patch marked a 0-minute level at the opening tier as done.
    state.levels = buildLevels(state, run.rule(), Date.parse(input.ticket.createdAt), run.ctx.calendar, patched('levels-due-at-opening-fire'));
    await run.recordOpened(input.ticket, created);
    await run.assignFor(1);
  } else {
    state.runs += 1;
  }
  run.locked = false;
  run.syncSearchAttributes();

  // ---- the main loop: fire what is due, sleep until the next thing is ------------------------------
  while (state.status !== 'closed') {
    await condition(() => !run.locked);
    run.locked = true;
    try {
      // Everything due now is decided first and written in one activity, so a burst of timers
      // (a level and its breach at the same minute) costs one round trip, not several.
      const tierBefore = state.tier;
      let tier2Team: string | null = null;
      const fired = fireDue(state, run.now(), run.ctx).map(({ item, event, notify }) => {
        if (item.kind === 'level' && item.level.tier === 2) {
          const team = item.level.targets.find((t) => t.kind === 'team');
          if (team?.kind === 'team') tier2Team = team.teamId;
        }
        return { event: run.event(event.type, SYSTEM, event.data), notify };
      });
      if (fired.length > 0) run.version++;
      // Keep the read model's "next deadline" current even when nothing fired.
      if (fired.length > 0 || run.readModelStale()) {
        await run.recordAll(
          fired.map((f) => f.event),
          fired.flatMap((f) => (f.notify ? [f.notify] : [])),
        );
      }
      // Reassignment on escalation to tier 2.
      if (tierBefore < 2 && state.tier === 2) await run.assignFor(2, tier2Team);
      // Resolved long enough and nobody reopened it: it closes on its own (decision 38).
      const autoClose = run.autoCloseDueAt();
      if (autoClose !== null && run.now() >= autoClose) await run.autoClose();
      // A major incident's announced status update is overdue: its owner is reminded (decision 40).
      await remindIfDue(run);
    } finally {
      run.locked = false;
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > historyLimit) break;
    const seen = run.version;
    // The next instant something falls due: a clock's level, warning or breach, or the auto-close
    // of a resolved ticket (null for histories from before it, which keep their old timers).
    const wake = [dueItems(state, run.ctx)[0]?.at, run.autoCloseDueAt() ?? undefined, reminderDueAt(run) ?? undefined].filter((at) => at !== undefined);
    if (wake.length > 0) await condition(() => run.version !== seen || state.status === 'closed', Math.max(Math.min(...wake) - run.now(), 1));
    else await condition(() => run.version !== seen || state.status === 'closed');
  }

  await condition(allHandlersFinished);
  if (state.status !== 'closed') {
    // Long-lived ticket: start a fresh history carrying everything this run knew.
    const carried: TicketEscalationState = { ...state, events: state.events.slice(-50) };
    await continueAsNew<typeof ticketWorkflow>({ ...input, policy: run.policy, carried });
  }
  return state;
}

function initialState(input: TicketWorkflowInput): TicketEscalationState {
  const t = input.ticket;
  const r = ruleFor(input.policy.policy, t.priority, t.category);
  if (!r) throw ApplicationFailure.nonRetryable(`policy v${input.policy.version} has no rule for ${t.priority}`, 'NoPolicyRule');
  return initialEscalationState(t, input.policy.version, r);
}
