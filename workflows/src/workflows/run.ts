/**
 * One run of a ticket's workflow: its state, the policy it runs on, and what every step needs to
 * write what it decided (events, pages, the read model, search attributes). The rules that decide
 * live in packages/domain/src/escalation; the actions in ./actions.ts; the wiring in ./ticket.ts.
 */
import { ApplicationFailure, condition, proxyActivities, upsertSearchAttributes, uuid4 } from '@temporalio/workflow';
import type { ClockName, EventEnvelope, NotifyCommand, PolicyRule, TicketEscalationState } from '@tierline/contracts';
import {
  applyRule,
  clockDeadline,
  escalationView,
  isOpenStatus,
  nextDeadline,
  notifyCommand,
  resumeClock,
  ruleFor,
  type Deadline,
  type EscalationContext,
} from '@tierline/domain';
import type { ReadModelPatch, RecordInput, TicketActivities } from '../activities/index.js';
import type { AssignmentActivities } from '../activities/assignment.js';
import { searchAttributesFor, type ActionBy, type NoteKind, type PolicySnapshot, type TicketStateView } from '@tierline/ticket-workflow';

const { recordTicketOpened, recordTicketEvent, autoAssign } = proxyActivities<TicketActivities & AssignmentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export const SYSTEM: EventEnvelope['actor'] = { kind: 'system', id: 'ticket-workflow' };
/** The read model's and the view's "next deadline" kind while a resolved ticket waits to close on its own. */
export const AUTO_CLOSE_KIND = 'auto-close';
const iso = (ms: number) => new Date(ms).toISOString();

export class TicketRun {
  /** Bumped on every change, so the main loop recomputes its next timer. */
  version = 0;
  /** Held while a step or an action runs: they take turns (handlers can interleave at activity awaits). */
  locked = false;
  private lastReadModel = '';
  private lastSearchAttributes = '';
  /** The escalation rules run on this context: the ticket's policy, failing the run when it lacks a rule or calendar. */
  readonly ctx: EscalationContext = { calendar: (name) => this.calendar(name), rule: () => this.rule() };

  constructor(
    readonly state: TicketEscalationState,
    /** The policy version the ticket runs on; replaced by a migration. */
    public policy: PolicySnapshot,
    readonly requesterId: string,
  ) {}

  now(): number {
    return Date.now();
  }

  rule(): PolicyRule {
    const r = ruleFor(this.policy.policy, this.state.priority, this.state.category);
    if (!r) throw ApplicationFailure.nonRetryable(`policy v${this.policy.version} has no rule for ${this.state.priority}`, 'NoPolicyRule');
    return r;
  }

  calendar(name: string) {
    const c = this.policy.policy.calendars[name];
    if (!c) throw ApplicationFailure.nonRetryable(`policy v${this.policy.version} has no calendar "${name}"`, 'NoCalendar');
    return c;
  }

  // ---- refusing -------------------------------------------------------------------------------
  refuse(message: string): never {
    throw ApplicationFailure.nonRetryable(message, 'InvalidTransition');
  }

  requireOpen(): void {
    if (!isOpenStatus(this.state.status)) this.refuse(`${this.state.number} is ${this.state.status}; reopen it first`);
  }

  // ---- state changes shared by actions ------------------------------------------------------------
  /** After a priority change or policy migration: new targets and levels, same elapsed time. */
  applyRule(at: number): void {
    applyRule(this.state, at, this.ctx);
  }

  /** Back from waiting on the requester: the clocks run again. */
  resume(at: number): void {
    resumeClock(this.state.clocks.response, at);
    resumeClock(this.state.clocks.resolution, at);
    this.state.status = this.state.acknowledgedAt ? 'in_progress' : 'new';
  }

  view(): TicketStateView {
    const view = escalationView(this.state, this.now(), this.ctx);
    const autoClose = this.autoCloseDueAt();
    return {
      ...view,
      autoCloseAt: this.state.autoCloseAt ?? null,
      awaitingPickupSince: this.state.awaitingPickupSince ?? null,
      ...(autoClose !== null ? { nextDeadline: { at: iso(autoClose), kind: AUTO_CLOSE_KIND } } : {}),
    };
  }

  // ---- auto-close (decision 38) ------------------------------------------------------------------
  /**
   * When this resolved ticket closes on its own, or null: not resolved, or resolved before
   * auto-close existed (its history has no timer to replay, so it waits for a person as it did).
   */
  autoCloseDueAt(): number | null {
    const at = this.state.autoCloseAt;
    return this.state.status === 'resolved' && at ? Date.parse(at) : null;
  }

  /** The timer fell due with the ticket still resolved: it closes as the system, audited like every event. */
  async autoClose(): Promise<void> {
    const at = this.now();
    this.state.status = 'closed';
    this.state.autoCloseAt = null;
    this.version++;
    await this.record(this.event('ticket.closed', SYSTEM, { auto: true }), {}, { closedAt: iso(at) });
  }

  // ---- recording ------------------------------------------------------------------------------
  event(type: string, actor: EventEnvelope['actor'], data: Record<string, unknown>): EventEnvelope {
    return {
      id: uuid4(),
      type,
      occurredAt: iso(this.now()),
      actor,
      ticketId: this.state.ticketId,
      data: { number: this.state.number, ...data },
      schemaVersion: 1,
    };
  }

  /** An event done by the user behind an action. */
  userEvent(type: string, by: ActionBy, data: Record<string, unknown>): EventEnvelope {
    return this.event(type, { kind: 'user', id: by.actor.id, role: by.actor.role }, data);
  }

  /**
   * The free text of an action, stored with the ticket under the id its caller chose; the event
   * carries only that id (docs/decisions/0022). Nothing when there is no id (a history from
   * before ids) or no text.
   */
  note(by: ActionBy, id: string | undefined, kind: NoteKind, visibility: 'public' | 'internal', text: string | undefined, at: number): RecordInput['comment'] {
    return id && text?.trim() ? { id, authorId: by.actor.id, authorRole: by.actor.role, visibility, body: text.trim(), createdAt: iso(at), kind } : undefined;
  }

  clockDeadline(name: ClockName): Deadline | null {
    return clockDeadline(this.state, name, this.ctx);
  }

  /** A page about the ticket to its team (the IT lead without one) by email. */
  notifyCommand(key: string, template: NotifyCommand['template'], deadline: Deadline | null): NotifyCommand {
    return notifyCommand(this.state, key, template, null, deadline, this.now());
  }

  snapshotPatch(): ReadModelPatch {
    const s = this.state;
    // While resolved, the next thing to happen is the auto-close: the ticket page and the queue show it.
    const autoClose = this.autoCloseDueAt();
    const next = autoClose !== null ? { at: autoClose, kind: AUTO_CLOSE_KIND } : nextDeadline(s, this.now(), this.ctx);
    return {
      status: s.status,
      priority: s.priority,
      tier: s.tier,
      teamId: s.teamId,
      assigneeId: s.assigneeId,
      vendorOrgId: s.vendorOrgId,
      escalationLevel: s.escalations.length,
      policyVersion: s.policyVersion,
      nextDeadlineAt: next ? iso(next.at) : null,
      nextDeadlineKind: next?.kind ?? null,
      slaAtRisk: Object.values(s.clocks).some((c) => c.breached || c.warningsSent.length > 0),
      acknowledgedAt: s.acknowledgedAt,
      resolvedAt: s.resolvedAt,
      // Major incidents (decision 40): absent from patches of runs that never saw one.
      ...(s.incident !== undefined ? { majorIncident: s.incident?.role === 'major', incidentParentId: s.incident?.role === 'child' ? s.incident.parentTicketId : null } : {}),
    };
  }

  /** Whether the read model shows something else than the state now (the next deadline moves with time). */
  readModelStale(): boolean {
    return JSON.stringify(this.snapshotPatch()) !== this.lastReadModel;
  }

  /**
   * The revision of the next read-model patch (decision 39): one more than the last, counted in
   * the state so that continue-as-new carries it (absent in states from before revisions: 0).
   * Deterministic, so a replay numbers the patches as the first run did.
   */
  nextRev(): number {
    this.state.readModelRev = (this.state.readModelRev ?? 0) + 1;
    return this.state.readModelRev;
  }

  /** The opening: the ticket row, its created event and the first read model, in one activity. */
  async recordOpened(ticket: RecordOpenedTicket, created: EventEnvelope): Promise<void> {
    const patch = this.snapshotPatch();
    this.lastReadModel = JSON.stringify(patch);
    await recordTicketOpened({ ticket, event: created, patch, rev: this.nextRev() });
    this.state.events.push({ id: created.id, type: created.type, occurredAt: created.occurredAt });
  }

  /** One activity call writes everything a step decided: read model, events, pages. */
  async recordAll(events: EventEnvelope[], notifies: NotifyCommand[] = [], extra: Pick<RecordInput, 'comment'> = {}, patch: ReadModelPatch = {}): Promise<void> {
    const full = { ...this.snapshotPatch(), ...patch };
    this.lastReadModel = JSON.stringify(full);
    await recordTicketEvent({ ticketId: this.state.ticketId, events, notifies, patch: full, rev: this.nextRev(), ...extra });
    for (const e of events) this.state.events.push({ id: e.id, type: e.type, occurredAt: e.occurredAt });
    this.syncSearchAttributes();
  }

  record(event: EventEnvelope, extra: { notify?: NotifyCommand; comment?: RecordInput['comment'] } = {}, patch: ReadModelPatch = {}): Promise<void> {
    return this.recordAll([event], extra.notify ? [extra.notify] : [], extra.comment ? { comment: extra.comment } : {}, patch);
  }

  syncSearchAttributes(): void {
    const s = this.state;
    const sa = { number: s.number, priority: s.priority, tier: s.tier, status: s.status, siteId: s.siteId, policyVersion: s.policyVersion };
    const key = JSON.stringify(sa);
    if (key === this.lastSearchAttributes) return;
    this.lastSearchAttributes = key;
    upsertSearchAttributes(searchAttributesFor(sa));
  }

  /**
   * Automated assignment: the rules pick the team (and, when someone qualifies, the person) for
   * tier 1 at opening and again on escalation to tier 2. Recorded as a system assignment.
   */
  async assignFor(tier: 1 | 2, teamId?: string | null): Promise<void> {
    const s = this.state;
    const d = await autoAssign({
      ticketId: s.ticketId,
      category: s.category,
      siteId: s.siteId,
      priority: s.priority,
      tier,
      atMs: this.now(),
      ...(teamId ? { teamId } : {}),
    });
    if (d.teamId === s.teamId && (d.assigneeId === null || d.assigneeId === s.assigneeId)) return;
    if (d.teamId) s.teamId = d.teamId;
    if (d.assigneeId) s.assigneeId = d.assigneeId;
    await this.record(this.event('ticket.assigned', SYSTEM, { teamId: s.teamId, assigneeId: s.assigneeId, tier, via: d.via }));
  }

  /** Runs an action's body one at a time, validating again once its turn comes: the state may have moved while it waited. */
  async exclusive<T>(validate: () => void, body: () => Promise<T>): Promise<T> {
    await condition(() => !this.locked);
    this.locked = true;
    try {
      validate();
      const result = await body();
      this.version++;
      return result;
    } finally {
      this.locked = false;
    }
  }
}

type RecordOpenedTicket = Parameters<typeof recordTicketOpened>[0]['ticket'];
