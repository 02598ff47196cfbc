import { randomUUID } from 'node:crypto';
import { EventEnvelopeSchema, type EventEnvelope } from '@tierline/contracts';
import { messageJson, annotateTicket, runConsumer, type Logger, type NatsConnection, type Sql } from '@tierline/platform';
import type { TransactionSql } from 'postgres';
import type { UpdateKind } from './update-templates.js';

/**
 * Ticket events → status updates for the ticket's requester and watchers (docs/decisions/0034).
 *
 * This service keeps, from the ticket events themselves, who follows a ticket (its requester from
 * `ticket.created`, its watchers from `ticket.watcher_added` / `ticket.watcher_removed`) and the
 * ticket's number and latest status. An event that is an update (see `updateKindOf`) becomes a
 * change in each follower's open burst, except for the person who caused it. All of it is written
 * in one transaction with the event's id in `seen_ticket_events`: a redelivered or duplicated
 * event changes nothing, a crash before the commit loses nothing (JetStream redelivers it).
 * The poller (pipeline.ts `pollUpdates`) turns due bursts into deliveries.
 */

/** The status a ticket has after an event, when the event changes it. */
function statusAfter(e: EventEnvelope): string | null {
  const d = e.data;
  switch (e.type) {
    case 'ticket.created':
      return typeof d['status'] === 'string' ? d['status'] : 'new';
    case 'ticket.acknowledged':
      return 'acknowledged';
    case 'ticket.assigned':
    case 'ticket.resumed':
    case 'ticket.reopened':
      return 'in_progress';
    case 'ticket.commented':
      return d['resumed'] === true ? 'in_progress' : null;
    case 'ticket.waiting_on_requester':
      return 'waiting_on_requester';
    case 'ticket.handed_to_vendor':
      return 'waiting_on_vendor';
    case 'ticket.resolved':
      return 'resolved';
    case 'ticket.closed':
      return 'closed';
    default:
      return null;
  }
}

/**
 * Which update an event is for the requester and watchers, or null. `afterReopen` and `auto` may
 * be absent (events from before they existed). An internal note is never an update.
 */
export function updateKindOf(e: Pick<EventEnvelope, 'type' | 'data'>): UpdateKind | null {
  switch (e.type) {
    case 'ticket.acknowledged':
      return e.data['afterReopen'] === true ? 'picked_up_again' : 'acknowledged';
    case 'ticket.waiting_on_requester':
      return 'waiting_on_requester';
    case 'ticket.commented':
      return e.data['visibility'] === 'public' ? 'public_reply' : null;
    case 'ticket.resolved':
      return 'resolved';
    case 'ticket.closed':
      return e.data['auto'] === true ? 'auto_closed' : 'closed';
    case 'ticket.incident_status_posted':
      return 'incident_status';
    default:
      return null;
  }
}

/**
 * The updates of a major incident its children's requesters are told of too, in the bursts of
 * their own tickets (docs/decisions/0041): IT picked it up, replied publicly, resolved it, posted
 * a status. A question to the incident's requester is hers alone; a close is each ticket's own.
 */
export const INCIDENT_RELAYED: ReadonlySet<UpdateKind> = new Set(['acknowledged', 'picked_up_again', 'public_reply', 'resolved', 'incident_status']);

/** The id of the public note whose words an email update may carry: a question, a reply, a resolution. */
export function noteIdOf(e: Pick<EventEnvelope, 'type' | 'data'>): string | null {
  const key = e.type === 'ticket.waiting_on_requester' ? 'questionId' : e.type === 'ticket.commented' ? 'commentId' : e.type === 'ticket.resolved' ? 'resolutionId' : null;
  const v = key ? e.data[key] : undefined;
  return typeof v === 'string' ? v : null;
}

export interface UpdateRecorderOptions {
  sql: Sql;
  logger: Logger;
  /** Changes to one ticket within this window after the first go to each person as one update. */
  coalesceMs: number;
  /** An event older than this (a replay of the stream) still updates followers and status, but tells nobody. */
  maxAgeMs: number;
}

export type RecordOutcome = 'duplicate' | 'recorded' | 'no_update';

export function createUpdateRecorder(o: UpdateRecorderOptions) {
  const { sql } = o;
  return async function recordTicketEvent(e: EventEnvelope): Promise<RecordOutcome> {
    const ticketId = e.ticketId;
    if (!ticketId) return 'no_update';
    return sql.begin(async (tx) => {
      const [fresh] = await tx`insert into seen_ticket_events (event_id, type) values (${e.id}, ${e.type}) on conflict do nothing returning event_id`;
      if (!fresh) return 'duplicate' as const;
      const number = typeof e.data['number'] === 'string' ? e.data['number'] : null;
      const status = statusAfter(e);
      if (number) {
        await tx`
          insert into followed_tickets (ticket_id, number, status) values (${ticketId}, ${number}, ${status})
          on conflict (ticket_id) do update set number = excluded.number, status = coalesce(excluded.status, followed_tickets.status), updated_at = now()`;
      }
      const person = (k: string) => (typeof e.data[k] === 'string' && e.data[k] ? (e.data[k]) : null);
      if (e.type === 'ticket.created' && person('requesterId')) {
        await tx`insert into ticket_followers (ticket_id, user_id, role) values (${ticketId}, ${person('requesterId')}, 'requester') on conflict do nothing`;
      } else if (e.type === 'ticket.watcher_added' && person('watcherId')) {
        await tx`insert into ticket_followers (ticket_id, user_id, role) values (${ticketId}, ${person('watcherId')}, 'watcher') on conflict do nothing`;
      } else if (e.type === 'ticket.watcher_removed' && person('watcherId')) {
        await tx`delete from ticket_followers where ticket_id = ${ticketId} and user_id = ${person('watcherId')} and role = 'watcher'`;
      } else if (e.type === 'ticket.incident_linked' && person('parentTicketId')) {
        await tx`
          insert into incident_children (child_ticket_id, parent_ticket_id) values (${ticketId}, ${person('parentTicketId')})
          on conflict (child_ticket_id) do update set parent_ticket_id = excluded.parent_ticket_id, linked_at = now()`;
      } else if (e.type === 'ticket.incident_unlinked' && person('parentTicketId')) {
        await tx`delete from incident_children where child_ticket_id = ${ticketId} and parent_ticket_id = ${person('parentTicketId')}`;
      }
      const kind = updateKindOf(e);
      if (!kind) return 'no_update' as const;
      if (Date.now() - Date.parse(e.occurredAt) > o.maxAgeMs) {
        o.logger.info({ eventId: e.id, type: e.type }, 'ticket event too old to tell anyone of');
        return 'no_update' as const;
      }
      // Not the person who caused the change: a requester is not told of her own reply.
      const actorId = e.actor.kind === 'user' ? e.actor.id : null;
      const people = await tx<{ user_id: string }[]>`
        select distinct user_id from ticket_followers where ticket_id = ${ticketId} and (${actorId}::text is null or user_id <> ${actorId})`;
      const noteId = noteIdOf(e);
      const nextUpdateAt = e.type === 'ticket.incident_status_posted' ? person('nextUpdateAt') : null;
      const data = { ...(noteId ? { noteId } : {}), ...(nextUpdateAt ? { nextUpdateAt } : {}), eventType: e.type };
      for (const { user_id } of people) {
        await addChange(tx, { eventId: e.id, ticketId, recipientId: user_id, kind, occurredAt: e.occurredAt, data }, o.coalesceMs);
      }
      if (INCIDENT_RELAYED.has(kind)) {
        // The children's requesters, each in the burst of her own ticket; not those told above already.
        const told = people.map((r) => r.user_id);
        const relayed = await tx<{ ticket_id: string; user_id: string }[]>`
          select distinct on (f.user_id) f.ticket_id, f.user_id from incident_children c
          join ticket_followers f on f.ticket_id = c.child_ticket_id and f.role = 'requester'
          where c.parent_ticket_id = ${ticketId} and not (f.user_id = any(${told}::text[])) and (${actorId}::text is null or f.user_id <> ${actorId})
          order by f.user_id, c.linked_at, f.ticket_id`;
        for (const r of relayed) {
          // The words of a public note are the incident's: read from its ticket.
          await addChange(tx, { eventId: e.id, ticketId: r.ticket_id, recipientId: r.user_id, kind, occurredAt: e.occurredAt, data: { ...data, incidentTicketId: ticketId } }, o.coalesceMs);
        }
      }
      return 'recorded' as const;
    });
  };
}

interface NewChange {
  eventId: string;
  ticketId: string;
  recipientId: string;
  kind: UpdateKind;
  occurredAt: string;
  data: Record<string, string>;
}

/**
 * One change into the person's open burst of the ticket. A resolve is told once per burst when
 * the incident is in it: resolving the incident resolves its children, and a child's requester
 * gets "resolved" once, whichever of the two events comes first.
 */
async function addChange(tx: TransactionSql, c: NewChange, coalesceMs: number): Promise<void> {
  const burstId = await openBurst(tx, c.ticketId, c.recipientId, coalesceMs);
  if (c.kind === 'resolved') {
    const [already] = await tx`
      select 1 from update_changes where burst_id = ${burstId} and type = 'resolved'
        and (data ? 'incidentTicketId' or ${'incidentTicketId' in c.data}) limit 1`;
    if (already) return;
  }
  await tx`
    insert into update_changes (event_id, recipient_id, burst_id, type, occurred_at, data)
    values (${c.eventId}, ${c.recipientId}, ${burstId}, ${c.kind}, ${c.occurredAt}, ${tx.json(c.data)})
    on conflict do nothing`;
}

/** The person's open burst for the ticket, opened now if there is none (the poller may be closing the last one). */
async function openBurst(tx: TransactionSql, ticketId: string, recipientId: string, coalesceMs: number): Promise<string> {
  for (let i = 0; i < 5; i++) {
    await tx`
      insert into update_bursts (id, ticket_id, recipient_id, due_at)
      values (${randomUUID()}, ${ticketId}, ${recipientId}, now() + ${`${coalesceMs} milliseconds`}::interval)
      on conflict (ticket_id, recipient_id) where state = 'open' do nothing`;
    const [open] = await tx<{ id: string }[]>`select id from update_bursts where ticket_id = ${ticketId} and recipient_id = ${recipientId} and state = 'open' for update`;
    if (open) return open.id;
  }
  throw new Error(`could not open an update burst for ticket ${ticketId}`);
}

export type UpdateRecorder = ReturnType<typeof createUpdateRecorder>;

export interface UpdateConsumerOptions {
  nc: NatsConnection;
  record: UpdateRecorder;
  logger: Logger;
  stream: string;
  subject: string;
  durable: string;
  maxDeliver: number;
  backoffMs: number[];
  ackWaitMs: number;
  /** Start from new events only (a test on the shared events stream); the service reads the whole stream. */
  deliverNew?: boolean;
}

/** The durable, explicit-ack consumer of ticket events; an event is acked once its transaction committed. */
export async function startUpdateConsumer(o: UpdateConsumerOptions) {
  return runConsumer(o.nc, {
    stream: o.stream,
    durable: o.durable,
    filterSubjects: [o.subject],
    maxDeliver: o.maxDeliver,
    backoffMs: o.backoffMs,
    ackWaitMs: o.ackWaitMs,
    ...(o.deliverNew ? { deliverNew: true } : {}),
    logger: o.logger,
    handle: async (msg) => {
      const raw = messageJson(msg);
      const parsed = EventEnvelopeSchema.safeParse(raw);
      if (!parsed.success) {
        // Retrying cannot fix it; the audit log keeps whatever reached the stream.
        o.logger.error({ seq: msg.seq }, 'invalid ticket event; not an update');
        msg.term('invalid event');
        return;
      }
      if (parsed.data.ticketId) annotateTicket(parsed.data.ticketId);
      await o.record(parsed.data);
      msg.ack();
    },
  });
}
