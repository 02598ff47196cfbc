/**
 * What callers of the ticket workflow share with it: its name, task queue, id scheme,
 * messages and search attributes. Safe to import from workflow code and from services.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { EscalationPolicy, EscalationState, Priority, Role, Ticket, TicketEscalationState } from '@tierline/contracts';

export const TICKET_WORKFLOW_TYPE = 'ticketWorkflow';
export const DEFAULT_TASK_QUEUE = 'tierline-tickets';
export const ticketWorkflowId = (ticketId: string): string => `ticket-${ticketId}`;

/** A published policy version, carried by value: the ticket never re-reads it. */
export interface PolicySnapshot {
  version: number;
  policy: EscalationPolicy;
}

export interface TicketWorkflowInput {
  ticket: Ticket;
  /** Who opened it; recorded on the ticket.created event. */
  openedBy: { id: string; role: Role };
  policy: PolicySnapshot;
  /** Set when continuing as new: everything the previous run knew. */
  carried?: TicketEscalationState;
  /** History length after which the run continues as new (default 2,000 events). */
  historyLimit?: number;
}

export type { ClockName, ClockState, ClockView, EscalationRecord, IncidentState, LevelState, TicketEscalationState } from '@tierline/contracts';

/** What getState and every update return; its schema is EscalationStateSchema (contracts), served by GET …/escalation. */
export type TicketStateView = EscalationState;

/** What a row of the ticket's comments holds: a comment, or the free text of an action (docs/decisions/0022). */
export const NOTE_KINDS = ['comment', 'priority_reason', 'question', 'handoff_note', 'resolution', 'reopen_reason'] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];

export interface ActionBy {
  actor: { id: string; role: Role };
}

export const getStateQuery = defineQuery<TicketStateView>('getState');

export const acknowledgeUpdate = defineUpdate<TicketStateView, [ActionBy]>('acknowledge');
export const assignUpdate = defineUpdate<TicketStateView, [ActionBy & { teamId?: string | null; assigneeId?: string | null }]>('assign');
/**
 * The free text of an action (a reason, the question to the requester, the hand-off note, the
 * resolution note) travels with its id, chosen by the caller. The workflow stores the text with
 * the ticket under that id, and its event names the id only (docs/decisions/0022). Histories
 * recorded before ids existed lack them: the text is then not stored.
 */
export const changePriorityUpdate = defineUpdate<TicketStateView, [ActionBy & { priority: Priority; reason: string; reasonId?: string }]>('changePriority');
export const waitOnRequesterUpdate = defineUpdate<TicketStateView, [ActionBy & { reason?: string; questionId?: string }]>('waitOnRequester');
export const resumeUpdate = defineUpdate<TicketStateView, [ActionBy]>('resume');
export const handToVendorUpdate = defineUpdate<TicketStateView, [ActionBy & { vendorOrgId: string; reason?: string; noteId?: string }]>('handToVendor');
export const vendorAcknowledgeUpdate = defineUpdate<TicketStateView, [ActionBy & { via?: string }]>('vendorAcknowledge');
export const resolveUpdate = defineUpdate<TicketStateView, [ActionBy & { resolution: string; resolutionId?: string }]>('resolve');
export const reopenUpdate = defineUpdate<TicketStateView, [ActionBy & { reason: string; reasonId?: string }]>('reopen');
export const closeUpdate = defineUpdate<TicketStateView, [ActionBy]>('close');
/** Moves an open ticket onto a newer policy version, keeping elapsed clock time. */
export const migratePolicyUpdate = defineUpdate<TicketStateView, [ActionBy & { policy: PolicySnapshot }]>('migratePolicy');
/** Comments go through the workflow too, so a requester's reply can resume a paused clock. */
export const commentUpdate = defineUpdate<
  { commentId: string },
  [ActionBy & { commentId: string; body: string; visibility: 'public' | 'internal' }]
>('comment');

// Major incidents (docs/decisions/0040): a parent ticket and its linked children. A refusal
// (a closed child, itself, another parent's child, a child that is itself a major incident) fails
// the update with an ApplicationFailure of type INCIDENT_REFUSED whose message names the reason.
export const INCIDENT_REFUSED = 'IncidentRefused';
/** Makes this open ticket a major incident (a parent). Idempotent. */
export const declareIncidentUpdate = defineUpdate<TicketStateView, [ActionBy]>('declareIncident');
/** On the parent: link an open ticket as its child; idempotent per child. The parent tells the child durably. */
export const linkChildUpdate = defineUpdate<TicketStateView, [ActionBy & { childTicketId: string; auto?: boolean }]>('linkChild');
export const unlinkChildUpdate = defineUpdate<TicketStateView, [ActionBy & { childTicketId: string }]>('unlinkChild');
/** On the parent: a status was posted (its text stays in the ticket service); the owner is reminded at nextUpdateAt. */
export const incidentStatusPostedUpdate = defineUpdate<TicketStateView, [ActionBy & { statusId: string; nextUpdateAt: string | null }]>('incidentStatusPosted');

/** Search attributes an SRE filters on in the Temporal UI; registered by infra at start-up. */
export const SA = {
  TicketNumber: defineSearchAttributeKey('TicketNumber', SearchAttributeType.KEYWORD),
  Priority: defineSearchAttributeKey('Priority', SearchAttributeType.KEYWORD),
  Tier: defineSearchAttributeKey('Tier', SearchAttributeType.INT),
  Status: defineSearchAttributeKey('Status', SearchAttributeType.KEYWORD),
  Site: defineSearchAttributeKey('Site', SearchAttributeType.KEYWORD),
  PolicyVersion: defineSearchAttributeKey('PolicyVersion', SearchAttributeType.INT),
} as const;

export function searchAttributesFor(t: { number: string; priority: string; tier: number; status: string; siteId: string; policyVersion: number }): SearchAttributePair[] {
  return [
    { key: SA.TicketNumber, value: t.number },
    { key: SA.Priority, value: t.priority },
    { key: SA.Tier, value: t.tier },
    { key: SA.Status, value: t.status },
    { key: SA.Site, value: t.siteId },
    { key: SA.PolicyVersion, value: t.policyVersion },
  ];
}
