import { ApplicationFailure } from '@temporalio/common';
import {
  EventEnvelopeSchema,
  eventDataProblem,
  NOTIFY_SUBJECT,
  NotifyCommandSchema,
  type EventEnvelope,
  type NotifyCommand,
  type Ticket,
} from '@tierline/contracts';
import { publishEvent, publishTraced, type JetStreamClient, type Metrics, type Sql } from '@tierline/platform';
import { applyReadModelPatch, findTicket, insertComment, insertTicketIfAbsent, writeTimelineEntry, type ReadModelPatch } from '@tierline/ticket-store';
import type { TransactionSql } from 'postgres';
import type { NoteKind } from '@tierline/ticket-workflow';

export interface ActivityDeps {
  /** Pool on the ticket service's schema: activities keep its read model current. */
  sql: Sql;
  js: JetStreamClient;
  /** The worker's Prometheus registry: escalations fired, by tier and priority. */
  metrics?: Metrics;
  /**
   * Where notification commands go; tierline.commands.notify unless a test hands in a private
   * subject (the commands stream is a work queue: a shared subject would be read by whichever
   * notification service runs on the same NATS).
   */
  notifySubject?: string;
}

export type { ReadModelPatch } from '@tierline/ticket-store';

/** What a major incident checks of a ticket before linking it as a child (decision 40); null: no such ticket. */
export type IncidentChildFacts = Pick<Ticket, 'number' | 'status' | 'majorIncident' | 'incidentParentId'> | null;

export interface RecordInput {
  ticketId: string;
  /** Events in the order they happened; several when timers fell due together. */
  events?: EventEnvelope[];
  patch?: ReadModelPatch;
  /**
   * The patch's revision, numbered by the run (decision 39): the row takes the patch only when it
   * shows an older one. Absent in activities scheduled before revisions: written unconditionally.
   */
  rev?: number;
  notifies?: NotifyCommand[];
  /** A comment, or the free text of an action (`kind`), stored with the ticket; events carry its id. */
  comment?: { id: string; authorId: string; authorRole: string; visibility: 'public' | 'internal'; body: string; createdAt: string; kind?: NoteKind };
}

/** Activities are built from their dependencies, so tests and the worker wire their own. */
export function createActivities(deps: ActivityDeps) {
  const escalations = deps.metrics?.counter('tierline_escalations_fired_total', 'Escalations recorded, by the tier reached and the ticket priority', ['tier', 'priority'] as const);
  return {
    /**
     * The read model of a ticket a major incident is asked to link (decision 40), so that the
     * link update can refuse a closed ticket, another incident's child or another incident with a
     * clear message. The child checks again when the parent's signal reaches it.
     */
    async incidentChildFacts(ticketId: string): Promise<IncidentChildFacts> {
      const t = await findTicket(deps.sql, ticketId);
      return t ? { number: t.number, status: t.status, majorIncident: t.majorIncident, incidentParentId: t.incidentParentId } : null;
    },

    /**
     * Makes sure the ticket's read-model row exists (the API normally wrote it already; after a
     * crash between workflow start and commit this restores it) and publishes ticket.created.
     * Idempotent: the insert ignores an existing row, the publish dedupes on the event id.
     */
    async recordTicketOpened(input: { ticket: Ticket; event: EventEnvelope; patch?: ReadModelPatch; rev?: number }): Promise<{ seq: number }> {
      const event = parseEvent(input.event);
      const t = input.ticket;
      await deps.sql.begin(async (tx) => {
        await insertTicketIfAbsent(tx, t);
        await writeTimelineEntry(tx, t.id, event);
        if (input.patch) await applyPatch(tx, t.id, input.patch, input.rev);
      });
      const { seq } = await publishEvent(deps.js, event);
      return { seq };
    },

    /**
     * Writes what the workflow decided: read-model columns, the timeline entry, a comment; then
     * publishes the event and the notification command. Every step is idempotent (keyed by the
     * event id, the comment id and the command's idempotency key), so a retry repeats nothing.
     */
    async recordTicketEvent(input: RecordInput): Promise<void> {
      const events = (input.events ?? []).map(parseEvent);
      const notifies = (input.notifies ?? []).map((n) => NotifyCommandSchema.parse(n));
      const firstTime: EventEnvelope[] = [];
      await deps.sql.begin(async (tx) => {
        if (input.patch) await applyPatch(tx, input.ticketId, input.patch, input.rev);
        for (const event of events) if (await writeTimelineEntry(tx, input.ticketId, event)) firstTime.push(event);
        if (input.comment) await insertComment(tx, input.ticketId, { ...input.comment, kind: input.comment.kind ?? 'comment' });
      });
      // Counted once per escalation: a retried activity finds its timeline rows already written.
      for (const e of firstTime) {
        if (e.type !== 'ticket.escalated') continue;
        const tier = (e.data as { tier?: unknown }).tier;
        escalations?.inc({ tier: typeof tier === 'number' ? String(tier) : 'unknown', priority: notifies[0]?.priority ?? input.patch?.priority ?? 'unknown' });
      }
      for (const event of events) await publishEvent(deps.js, event);
      for (const notify of notifies) {
        await publishTraced(deps.js, deps.notifySubject ?? NOTIFY_SUBJECT, JSON.stringify(notify), { msgID: notify.idempotencyKey, timeout: 10_000 });
      }
    },
  };
}

function parseEvent(e: EventEnvelope): EventEnvelope {
  const parsed = EventEnvelopeSchema.safeParse(e);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid event envelope: ${parsed.error.message}`, 'InvalidEvent');
  }
  // Free text has no place in an event (docs/decisions/0022); a retry would not change that.
  const problem = eventDataProblem(parsed.data);
  if (problem) throw ApplicationFailure.nonRetryable(`invalid event data: ${problem}`, 'InvalidEvent');
  return parsed.data;
}

/**
 * Writes the patch unless the row already shows a newer one ('stale': a late or retried activity;
 * the rest of the step, timeline and events, is still written).
 */
async function applyPatch(tx: TransactionSql, ticketId: string, patch: ReadModelPatch, rev: number | undefined) {
  if ((await applyReadModelPatch(tx, ticketId, patch, rev)) === 'missing') {
    // The row is written before any other activity runs; its absence is a bug, not a blip.
    throw ApplicationFailure.nonRetryable(`ticket ${ticketId} has no read-model row`, 'MissingTicketRow');
  }
}

export type TicketActivities = ReturnType<typeof createActivities>;
