import { ApplicationFailure } from '@temporalio/common';
import { EventEnvelopeSchema, type EventEnvelope, type Ticket } from '@tierline/contracts';
import { publishEvent, type JetStreamClient, type Sql } from '@tierline/platform';

export interface ActivityDeps {
  /** Pool on the ticket service's schema: activities keep its read model current. */
  sql: Sql;
  js: JetStreamClient;
}

/** Activities are built from their dependencies, so tests and the worker wire their own. */
export function createActivities(deps: ActivityDeps) {
  return {
    /**
     * Makes sure the ticket's read-model row exists (the API normally wrote it already; after a
     * crash between workflow start and commit this restores it) and publishes ticket.created.
     * Idempotent: the insert ignores an existing row, the publish dedupes on the event id.
     */
    async recordTicketOpened(input: { ticket: Ticket; event: EventEnvelope }): Promise<{ seq: number }> {
      const parsed = EventEnvelopeSchema.safeParse(input.event);
      if (!parsed.success) {
        throw ApplicationFailure.nonRetryable(`invalid event envelope: ${parsed.error.message}`, 'InvalidEvent');
      }
      const t = input.ticket;
      await deps.sql`
        insert into tickets (id, number, title, description, category, site_id, requester_id, impact, urgency,
          patient_care_affected, priority, status, tier, policy_version, workflow_id, created_at, updated_at)
        values (${t.id}, ${t.number}, ${t.title}, ${t.description}, ${t.category}, ${t.siteId}, ${t.requesterId},
          ${t.impact}, ${t.urgency}, ${t.patientCareAffected}, ${t.priority}, ${t.status}, ${t.tier},
          ${t.policyVersion}, ${t.workflowId}, ${t.createdAt}, ${t.updatedAt})
        on conflict (id) do nothing`;
      const { seq } = await publishEvent(deps.js, parsed.data);
      return { seq };
    },
  };
}

export type TicketActivities = ReturnType<typeof createActivities>;
