/**
 * ticket_timeline (migrations/001_tickets.sql): what happened to a ticket, one row per event,
 * keyed by the event id so a retried write adds nothing. The workflow's events land here (the
 * worker's recordTicketOpened / recordTicketEvent), and so do the notification service's reports
 * about the ticket's pages (the ticket service's notification-timeline consumer).
 */
import type { EventEnvelope } from '@tierline/contracts';
import type { Db } from './tickets.js';

/** Writes an event's entry; true when it was new (false: a retry found it written). */
export async function writeTimelineEntry(sql: Db, ticketId: string, e: EventEnvelope): Promise<boolean> {
  const result = await sql`
    insert into ticket_timeline (event_id, ticket_id, type, occurred_at, actor_kind, actor_id, data)
    values (${e.id}, ${ticketId}, ${e.type}, ${e.occurredAt}, ${e.actor.kind}, ${e.actor.id}, ${sql.json(e.data as never)})
    on conflict (event_id) do nothing`;
  return result.count > 0;
}

/**
 * Writes an entry only if the ticket is one of this database's (an event of another installation's
 * or a test's ticket is not). Returns whether a row was written; an entry already there is kept.
 */
export async function writeTimelineEntryIfTicket(
  sql: Db,
  entry: { eventId: string; ticketId: string; type: string; occurredAt: string; actor: { kind: string; id: string }; data: Record<string, unknown> },
): Promise<boolean> {
  const result = await sql`
    insert into ticket_timeline (event_id, ticket_id, type, occurred_at, actor_kind, actor_id, data)
    select ${entry.eventId}, ${entry.ticketId}, ${entry.type}, ${entry.occurredAt}, ${entry.actor.kind}, ${entry.actor.id}, ${sql.json(entry.data as never)}
    where exists (select 1 from tickets where id = ${entry.ticketId})
    on conflict (event_id) do nothing`;
  return result.count > 0;
}

/**
 * The one entry that gathers the channels a page reached one person on (`data.channels`): written
 * with the first channel, then each channel not listed yet is appended. Only for a ticket of this
 * database. Returns whether anything changed.
 */
export async function addChannelToEntry(
  sql: Db,
  entry: { eventId: string; ticketId: string; type: string; occurredAt: string; actor: { kind: string; id: string }; data: Record<string, unknown> & { channels: string[] } },
  channel: string,
): Promise<boolean> {
  const result = await sql`
    insert into ticket_timeline (event_id, ticket_id, type, occurred_at, actor_kind, actor_id, data)
    select ${entry.eventId}, ${entry.ticketId}, ${entry.type}, ${entry.occurredAt},
      ${entry.actor.kind}, ${entry.actor.id}, ${sql.json(entry.data as never)}
    where exists (select 1 from tickets where id = ${entry.ticketId})
    on conflict (event_id) do update set data = jsonb_set(ticket_timeline.data, '{channels}', (ticket_timeline.data->'channels') || to_jsonb(${channel}::text))
      where not (ticket_timeline.data->'channels' ? ${channel})`;
  return result.count > 0;
}

export async function ticketExists(sql: Db, ticketId: string): Promise<boolean> {
  const [known] = await sql`select 1 from tickets where id = ${ticketId}`;
  return known !== undefined;
}

export interface TimelineEntry {
  eventId: string;
  type: string;
  occurredAt: string;
  actor: { kind: string; id: string };
  data: Record<string, unknown>;
}

/** A ticket's timeline, oldest first; without `internal`, internal comments are left out. */
export async function listTimeline(sql: Db, ticketId: string, opts: { internal: boolean }): Promise<TimelineEntry[]> {
  const rows = await sql<{ event_id: string; type: string; occurred_at: Date; actor_kind: string; actor_id: string; data: Record<string, unknown> }[]>`
    select event_id, type, occurred_at, actor_kind, actor_id, data from ticket_timeline
    where ticket_id = ${ticketId}
      and (${opts.internal} or not (type = 'ticket.commented' and data->>'visibility' = 'internal'))
    order by occurred_at, event_id`;
  return rows.map((r) => ({ eventId: r.event_id, type: r.type, occurredAt: r.occurred_at.toISOString(), actor: { kind: r.actor_kind, id: r.actor_id }, data: r.data }));
}
