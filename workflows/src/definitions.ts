/**
 * What callers of the ticket workflow share with it: its name, task queue, id scheme,
 * messages and search attributes. Safe to import from workflow code and from services.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { Ticket, TicketStatus } from '@tierline/contracts';

export const TICKET_WORKFLOW_TYPE = 'ticketWorkflow';
export const DEFAULT_TASK_QUEUE = 'tierline-tickets';
export const ticketWorkflowId = (ticketId: string): string => `ticket-${ticketId}`;

export interface TicketWorkflowInput {
  ticket: Ticket;
  /** Who opened it; recorded on the ticket.created event. */
  openedBy: { id: string; role: string };
}

export interface TicketEscalationState {
  ticketId: string;
  number: string;
  status: TicketStatus;
  priority: Ticket['priority'];
  tier: number;
  policyVersion: number;
  openedAt: string;
  /** Event ids this workflow has published, in order. */
  events: { id: string; type: string; occurredAt: string }[];
}

export const getStateQuery = defineQuery<TicketEscalationState>('getState');
export const closeSignal = defineSignal<[{ actorId: string; reason?: string }]>('close');

/** Search attributes an SRE filters on in the Temporal UI; registered by infra at start-up. */
export const SA = {
  TicketNumber: defineSearchAttributeKey('TicketNumber', SearchAttributeType.KEYWORD),
  Priority: defineSearchAttributeKey('Priority', SearchAttributeType.KEYWORD),
  Tier: defineSearchAttributeKey('Tier', SearchAttributeType.INT),
  Status: defineSearchAttributeKey('Status', SearchAttributeType.KEYWORD),
  Site: defineSearchAttributeKey('Site', SearchAttributeType.KEYWORD),
  PolicyVersion: defineSearchAttributeKey('PolicyVersion', SearchAttributeType.INT),
} as const;

export function searchAttributesFor(t: Pick<Ticket, 'number' | 'priority' | 'tier' | 'status' | 'siteId' | 'policyVersion'>): SearchAttributePair[] {
  return [
    { key: SA.TicketNumber, value: t.number },
    { key: SA.Priority, value: t.priority },
    { key: SA.Tier, value: t.tier },
    { key: SA.Status, value: t.status },
    { key: SA.Site, value: t.siteId },
    { key: SA.PolicyVersion, value: t.policyVersion },
  ];
}
