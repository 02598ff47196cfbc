import { condition, proxyActivities, setHandler, uuid4, allHandlersFinished } from '@temporalio/workflow';
import type { EventEnvelope } from '@tierline/contracts';
import type { TicketActivities } from '../activities/index.js';
import { closeSignal, getStateQuery, type TicketEscalationState, type TicketWorkflowInput } from '../definitions.js';

const { recordTicketOpened } = proxyActivities<TicketActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One ticket's life. The workflow is the only writer of escalation state; the ticket tables
 * are its read model, kept current by activities.
 */
export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketEscalationState> {
  const { ticket } = input;
  const state: TicketEscalationState = {
    ticketId: ticket.id,
    number: ticket.number,
    status: ticket.status,
    priority: ticket.priority,
    tier: ticket.tier,
    policyVersion: ticket.policyVersion,
    openedAt: ticket.createdAt,
    events: [],
  };
  setHandler(getStateQuery, () => state);
  setHandler(closeSignal, () => {
    state.status = 'closed';
  });

  // Event ids are made here, deterministically, so an activity retry republishes the same id
  // and JetStream (Nats-Msg-Id) and every consumer see it once.
  const created: EventEnvelope = {
    id: uuid4(),
    type: 'ticket.created',
    occurredAt: ticket.createdAt,
    actor: { kind: 'user', id: input.openedBy.id, role: input.openedBy.role as never },
    ticketId: ticket.id,
    // Free text (title, description) stays out of events: the event stream feeds audit and
    // notifications, which must not spread patient details.
    data: {
      number: ticket.number,
      siteId: ticket.siteId,
      category: ticket.category,
      impact: ticket.impact,
      urgency: ticket.urgency,
      patientCareAffected: ticket.patientCareAffected,
      priority: ticket.priority,
      tier: ticket.tier,
      status: ticket.status,
      policyVersion: ticket.policyVersion,
      requesterId: ticket.requesterId,
    },
    schemaVersion: 1,
  };
  await recordTicketOpened({ ticket, event: created });
  state.events.push({ id: created.id, type: created.type, occurredAt: created.occurredAt });

  await condition(() => state.status === 'closed');
  await condition(allHandlersFinished);
  return state;
}
