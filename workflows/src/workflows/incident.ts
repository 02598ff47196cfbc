/**
 * Major incidents (docs/decisions/0040): one ticket is declared the parent, and other open tickets
 * are linked to it as its children. The link lives in the two workflows: the parent keeps the
 * list of its children, each child names its parent, and they tell each other through signals
 * (a signal sent is a command in the sender's history, so a crash between deciding and telling
 * loses nothing, and a replay does not send it twice).
 *
 *  - A child neither escalates nor pages while linked (packages/domain: `dueItems` finds nothing
 *    due); its clocks keep counting. Unlinked, it carries on from its elapsed time, and whatever
 *    fell due meanwhile fires at once.
 *  - Its clocks follow the parent's: the parent's acknowledgement meets the child's response
 *    target, the parent's resolution resolves the child with the same resolution reference.
 *  - A child's requester reopening it ("not fixed") takes it out of the incident.
 *  - The parent's next-update time is a deadline: when it passes without a newer status post, the
 *    incident's owner is reminded.
 *
 * The ticket workflow calls in here from a few hooks (ticket.ts, actions.ts); everything new is
 * behind one patch marker, INCIDENT_PATCH.
 */
import { ApplicationFailure, defineSignal, getExternalWorkflowHandle, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { EventEnvelope, IncidentState, NotifyCommand } from '@tierline/contracts';
import { isOpenStatus, stopClock } from '@tierline/domain';
import {
  declareIncidentUpdate,
  incidentStatusPostedUpdate,
  INCIDENT_REFUSED,
  linkChildUpdate,
  ticketWorkflowId,
  unlinkChildUpdate,
  type ActionBy,
} from '@tierline/ticket-workflow';
import type { TicketActivities } from '../activities/index.js';
import { defineAction, markResolved } from './actions.js';
import { SYSTEM, type TicketRun } from './run.js';

/** The one patch marker of major incidents: histories from before it never declare, link or remind. */
export const INCIDENT_PATCH = 'major-incidents';

const { incidentChildFacts } = proxyActivities<Pick<TicketActivities, 'incidentChildFacts'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

type Actor = EventEnvelope['actor'];

/** What a parent and its children tell each other; one signal carries every kind. */
export type IncidentMessage =
  /** Parent → child: you are my child now. `parentAcknowledged`: the parent's response target is met already. */
  | { kind: 'linked'; parentTicketId: string; auto: boolean; by: Actor; parentAcknowledged: boolean }
  /** Parent → child: you are no longer my child. */
  | { kind: 'unlinked'; parentTicketId: string; by: Actor }
  /** Parent → child: IT acknowledged the incident. */
  | { kind: 'parent_acknowledged'; parentTicketId: string; by: Actor }
  /** Parent → child: the incident is resolved. */
  | { kind: 'parent_resolved'; parentTicketId: string; resolutionId: string | null; by: Actor }
  /** Child → parent: take me off your list (its requester said "not fixed", or it could not join). */
  | { kind: 'child_left'; childTicketId: string; reason: 'not_fixed' | 'refused' };

export const incidentSignal = defineSignal<[IncidentMessage]>('incident');

type Major = Extract<IncidentState, { role: 'major' }>;
const major = (run: TicketRun): Major | null => (run.state.incident?.role === 'major' ? run.state.incident : null);
const parentOf = (run: TicketRun): string | null => (run.state.incident?.role === 'child' ? run.state.incident.parentTicketId : null);
const actorOf = (by: ActionBy): Actor => ({ kind: 'user', id: by.actor.id, role: by.actor.role });

function refuse(message: string): never {
  throw ApplicationFailure.nonRetryable(message, INCIDENT_REFUSED);
}

/** Sends a message to another ticket's workflow. A workflow that has ended cannot hear it: nothing to tell. */
async function tell(ticketId: string, message: IncidentMessage): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(ticketWorkflowId(ticketId)).signal(incidentSignal, message);
    return true;
  } catch {
    return false;
  }
}

/** Tells every child of this major incident, all at once. */
async function tellChildren(run: TicketRun, message: IncidentMessage): Promise<void> {
  const m = major(run);
  if (m && m.children.length > 0) await Promise.all(m.children.map((id) => tell(id, message)));
}

// ---- the parent's actions -----------------------------------------------------------------------

export const INCIDENT_ACTIONS = [
  defineAction(
    declareIncidentUpdate,
    (run) => {
      run.requireOpen();
      const parent = parentOf(run);
      if (parent) refuse(`${run.state.number} is linked to another major incident; unlink it first`);
    },
    async (run, by) => {
      if (major(run)) return run.view();
      patched(INCIDENT_PATCH);
      run.state.incident = { role: 'major', children: [], nextUpdateAt: null, declaredBy: by.actor.id };
      await run.record(run.userEvent('ticket.incident_declared', by, {}));
      return run.view();
    },
  ),

  defineAction(
    linkChildUpdate,
    (run, a) => {
      run.requireOpen();
      if (!major(run)) refuse(`${run.state.number} is not a major incident; declare it first`);
      if (!a.childTicketId) refuse('linking needs the childTicketId of the ticket to link');
      if (a.childTicketId === run.state.ticketId) refuse(`${run.state.number} cannot be linked to itself`);
    },
    async (run, a) => {
      const m = major(run)!;
      // Idempotent per child: linking it again changes nothing and tells nobody twice.
      if (m.children.includes(a.childTicketId)) return run.view();
      patched(INCIDENT_PATCH);
      const facts = await incidentChildFacts(a.childTicketId);
      if (!facts) refuse(`there is no ticket ${a.childTicketId} to link`);
      if (!isOpenStatus(facts.status)) refuse(`${facts.number} is ${facts.status}; only an open ticket can be linked to a major incident`);
      if (facts.majorIncident) refuse(`${facts.number} is itself a major incident; link its children instead`);
      if (facts.incidentParentId && facts.incidentParentId !== run.state.ticketId) refuse(`${facts.number} is already linked to another major incident; unlink it there first`);
      m.children.push(a.childTicketId);
      const told = await tell(a.childTicketId, {
        kind: 'linked',
        parentTicketId: run.state.ticketId,
        auto: a.auto ?? false,
        by: actorOf(a),
        parentAcknowledged: run.state.acknowledgedAt !== null,
      });
      if (!told) {
        m.children.splice(m.children.indexOf(a.childTicketId), 1);
        refuse(`${facts.number} has ended; nothing more can happen to it`);
      }
      return run.view();
    },
  ),

  defineAction(
    unlinkChildUpdate,
    (run, a) => {
      if (!major(run)) refuse(`${run.state.number} is not a major incident`);
      if (!a.childTicketId) refuse('unlinking needs the childTicketId of the ticket to unlink');
    },
    async (run, a) => {
      const m = major(run)!;
      const i = m.children.indexOf(a.childTicketId);
      // Idempotent: a child already out of the incident stays out.
      if (i < 0) return run.view();
      patched(INCIDENT_PATCH);
      m.children.splice(i, 1);
      await tell(a.childTicketId, { kind: 'unlinked', parentTicketId: run.state.ticketId, by: actorOf(a) });
      return run.view();
    },
  ),

  defineAction(
    incidentStatusPostedUpdate,
    (run, a) => {
      if (!major(run)) refuse(`${run.state.number} is not a major incident`);
      if (run.state.status === 'closed') refuse(`${run.state.number} is closed`);
      if (!a.statusId) refuse('a status post needs its statusId');
      if (a.nextUpdateAt !== null && Number.isNaN(Date.parse(a.nextUpdateAt))) refuse(`nextUpdateAt "${a.nextUpdateAt}" is not an instant`);
    },
    async (run, a) => {
      patched(INCIDENT_PATCH);
      const m = major(run)!;
      m.nextUpdateAt = a.nextUpdateAt === null ? null : new Date(Date.parse(a.nextUpdateAt)).toISOString();
      await run.record(run.userEvent('ticket.incident_status_posted', a, { statusId: a.statusId, nextUpdateAt: m.nextUpdateAt }));
      return run.view();
    },
  ),
];

/** Registers the incident actions and the signal between parent and children on this run. */
export function registerIncidents(run: TicketRun): void {
  for (const action of INCIDENT_ACTIONS) action.register(run);
  setHandler(incidentSignal, (message) => run.exclusive(() => undefined, () => receive(run, message)));
}

// ---- what the other side said ------------------------------------------------------------------

async function receive(run: TicketRun, msg: IncidentMessage): Promise<void> {
  patched(INCIDENT_PATCH);
  const { state } = run;
  switch (msg.kind) {
    case 'linked': {
      if (parentOf(run) === msg.parentTicketId) return;
      // Checked again here, where the truth is: the read model the parent looked at may lag.
      if (!isOpenStatus(state.status) || major(run) || parentOf(run)) {
        await tell(msg.parentTicketId, { kind: 'child_left', childTicketId: state.ticketId, reason: 'refused' });
        return;
      }
      state.incident = { role: 'child', parentTicketId: msg.parentTicketId };
      await run.record(run.event('ticket.incident_linked', msg.by, { parentTicketId: msg.parentTicketId, auto: msg.auto }));
      if (msg.parentAcknowledged) await followAcknowledgement(run, msg.by);
      return;
    }
    case 'unlinked': {
      if (parentOf(run) !== msg.parentTicketId) return;
      state.incident = null;
      // Back on its own: the main loop fires at once whatever fell due while it was linked.
      await run.record(run.event('ticket.incident_unlinked', msg.by, { parentTicketId: msg.parentTicketId, reason: 'unlinked' }));
      return;
    }
    case 'parent_acknowledged': {
      if (parentOf(run) !== msg.parentTicketId) return;
      await followAcknowledgement(run, msg.by);
      return;
    }
    case 'parent_resolved': {
      if (parentOf(run) !== msg.parentTicketId || !isOpenStatus(state.status)) return;
      markResolved(run, run.now());
      await run.record(run.event('ticket.resolved', msg.by, { tier: state.tier, ...(msg.resolutionId ? { resolutionId: msg.resolutionId } : {}) }));
      return;
    }
    case 'child_left': {
      const m = major(run);
      const i = m ? m.children.indexOf(msg.childTicketId) : -1;
      if (m && i >= 0) m.children.splice(i, 1);
      return;
    }
  }
}

/** The parent's acknowledgement meets the child's response target, at the instant the child learns it. */
async function followAcknowledgement(run: TicketRun, by: Actor): Promise<void> {
  const { state } = run;
  if (state.acknowledgedAt || !isOpenStatus(state.status)) return;
  const at = run.now();
  stopClock(state.clocks.response, at, run.ctx.calendar);
  state.acknowledgedAt = new Date(at).toISOString();
  if (state.status === 'new') state.status = 'acknowledged';
  await run.record(run.event('ticket.acknowledged', by, { tier: state.tier }));
}

// ---- hooks the ticket's own actions call -----------------------------------------------------------

/** After the parent's first acknowledgement: every child's response target is met. */
export async function afterAcknowledged(run: TicketRun, by: ActionBy): Promise<void> {
  await tellChildren(run, { kind: 'parent_acknowledged', parentTicketId: run.state.ticketId, by: actorOf(by) });
}

/** After the parent's resolution: every open child resolves with the same resolution reference. */
export async function afterResolved(run: TicketRun, by: ActionBy, resolutionId: string | undefined): Promise<void> {
  await tellChildren(run, { kind: 'parent_resolved', parentTicketId: run.state.ticketId, resolutionId: resolutionId ?? null, by: actorOf(by) });
}

/**
 * A child reopened by its requester ("not fixed") leaves the incident before its reopen is
 * recorded: the parent takes it off its list, and from the reopen on it escalates on its own.
 */
export async function leaveOnReopen(run: TicketRun, by: ActionBy): Promise<void> {
  const parent = parentOf(run);
  if (!parent) return;
  patched(INCIDENT_PATCH);
  run.state.incident = null;
  await tell(parent, { kind: 'child_left', childTicketId: run.state.ticketId, reason: 'not_fixed' });
  await run.record(run.userEvent('ticket.incident_unlinked', by, { parentTicketId: parent, reason: 'not_fixed' }));
}

// ---- the next-update reminder ------------------------------------------------------------------------

/** When the open parent's owner is to be reminded of its overdue status update; null when nothing is pending. */
export function reminderDueAt(run: TicketRun): number | null {
  const m = major(run);
  if (!m?.nextUpdateAt || !isOpenStatus(run.state.status) || run.state.incidentReminded === m.nextUpdateAt) return null;
  return Date.parse(m.nextUpdateAt);
}

/**
 * The announced next update did not come: `ticket.incident_update_due`, and a reminder to the
 * incident's owner (its assignee, else who declared it, else the IT lead). Once per announced time.
 */
export async function remindIfDue(run: TicketRun): Promise<void> {
  const due = reminderDueAt(run);
  if (due === null || run.now() < due) return;
  const m = major(run)!;
  const nextUpdateAt = m.nextUpdateAt!;
  run.state.incidentReminded = nextUpdateAt;
  const owner = run.state.assigneeId ?? m.declaredBy ?? null;
  const notify: NotifyCommand = {
    ...run.notifyCommand(`${run.state.ticketId}:incident-update-due:${nextUpdateAt}`, 'incident_update_due', { at: due, kind: 'next status update' }),
    targets: owner ? [{ kind: 'user', userId: owner }] : [{ kind: 'it_lead' }],
    channels: ['email'],
  };
  run.version++;
  await run.record(run.event('ticket.incident_update_due', SYSTEM, { nextUpdateAt }), { notify });
}
