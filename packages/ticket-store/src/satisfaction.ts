/**
 * ticket_satisfaction (migrations/008_satisfaction.sql): the requester's answer after "Fixed"
 * (docs/decisions/0035). Written with its ticket.satisfaction_recorded event on the timeline and
 * in the outbox, in one transaction; a retried answer through the same link adds nothing.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, type EventEnvelope, type Role } from '@tierline/contracts';
import type { Sql } from 'postgres';
import { policyOutbox } from './policies.js';
import { writeTimelineEntry } from './timeline.js';

export interface SatisfactionAnswer {
  linkId: string;
  ticketId: string;
  requesterId: string;
  rating: number;
  comment: string | null;
  answeredAt: string;
}

interface SatisfactionRow {
  link_id: string;
  ticket_id: string;
  requester_id: string;
  rating: number;
  comment: string | null;
  answered_at: Date;
}

const toAnswer = (r: SatisfactionRow): SatisfactionAnswer => ({
  linkId: r.link_id,
  ticketId: r.ticket_id,
  requesterId: r.requester_id,
  rating: r.rating,
  comment: r.comment,
  answeredAt: r.answered_at.toISOString(),
});

/**
 * Records the answer, its timeline entry and its event (through the ticket service's outbox,
 * policy_outbox) in one transaction. Returns the event to publish after the commit, or null when
 * this link's answer was already recorded (nothing written again).
 */
export async function recordSatisfaction(
  sql: Sql,
  a: { linkId: string; ticket: { id: string; number: string }; requester: { id: string; role: Role }; rating: number; comment: string | null },
): Promise<{ answer: SatisfactionAnswer; event: EventEnvelope | null }> {
  return sql.begin(async (tx) => {
    const eventId = randomUUID();
    const [row] = await tx<SatisfactionRow[]>`
      insert into ticket_satisfaction (link_id, ticket_id, requester_id, rating, comment, event_id)
      values (${a.linkId}, ${a.ticket.id}, ${a.requester.id}, ${a.rating}, ${a.comment}, ${eventId})
      on conflict (link_id) do nothing
      returning *`;
    if (!row) {
      const [existing] = await tx<SatisfactionRow[]>`select * from ticket_satisfaction where link_id = ${a.linkId}`;
      return { answer: toAnswer(existing!), event: null };
    }
    const event: EventEnvelope = {
      id: eventId,
      type: 'ticket.satisfaction_recorded',
      occurredAt: row.answered_at.toISOString(),
      actor: { kind: 'user', id: a.requester.id, role: a.requester.role },
      ticketId: a.ticket.id,
      data: { number: a.ticket.number, rating: a.rating, commented: a.comment !== null },
      schemaVersion: EVENT_SCHEMA_VERSION,
    };
    await writeTimelineEntry(tx, a.ticket.id, event);
    await policyOutbox.add(tx, event);
    return { answer: toAnswer(row), event };
  });
}

/** A ticket's answers, oldest first (one per resolution confirmed with "Fixed"). */
export async function listSatisfaction(sql: Sql, ticketId: string): Promise<SatisfactionAnswer[]> {
  const rows = await sql<SatisfactionRow[]>`select * from ticket_satisfaction where ticket_id = ${ticketId} order by answered_at, link_id`;
  return rows.map(toAnswer);
}
