/**
 * Puts what the notification service reports about a ticket's pages onto the ticket's timeline
 * (ticket_timeline, where the workflow's own events land too), so "was anybody told?" is answered
 * where people look. Consumes `tierline.events.notification.>` with a durable explicit-ack consumer.
 *
 * What lands, to keep the timeline readable (the delivery status API has every row):
 * - each `notification.delivery_failed`: a page given up after its retries (with the IT lead it
 *   alerted, if any), a failed alert, a target that named nobody, a command that was dead-lettered;
 * - each alert sent to an IT lead about a failed page (`notification.sent`, kind `alert`);
 * - pages sent: one entry per command and recipient, listing the channels it reached, instead of
 *   one per channel (a tier-2 escalation to a team on four channels would otherwise add a dozen);
 * - status updates sent to the requester or a watcher (kind `update`, docs/decisions/0034): the
 *   same, one entry per update and person.
 * Only ids, usernames, channels and counts are copied, never contacts or provider error text:
 * clinic staff and vendors who may read the ticket read its timeline.
 */
import { createHash } from 'node:crypto';
import { EVENTS_STREAM, EventEnvelopeSchema, type EventEnvelope } from '@tierline/contracts';
import { messageJson, runConsumer, type JsMsg, type Logger, type NatsConnection, type Sql } from '@tierline/platform';
import { addChannelToEntry, ticketExists, writeTimelineEntryIfTicket } from '@tierline/ticket-store';

export const NOTIFICATION_TIMELINE_DURABLE = 'ticket-notification-timeline';
export const NOTIFICATION_EVENTS_FILTER = 'tierline.events.notification.>';

/** What an entry may carry; everything else in the event stays out of the timeline. */
const KEPT = ['deliveryId', 'kind', 'template', 'channel', 'recipientId', 'recipientUsername', 'attempts', 'alertedVia', 'target'] as const;

function keep(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KEPT) if (data[k] !== undefined) out[k] = data[k];
  const via = data['alertedVia'] as { userId?: unknown; channel?: unknown } | null | undefined;
  if (via !== undefined) out['alertedVia'] = via ? { userId: via.userId, channel: via.channel } : null;
  // A target that names nobody: the reason is the resolver's own wording (ids only), worth showing.
  if (typeof data['target'] === 'string' && typeof data['reason'] === 'string') out['reason'] = data['reason'].slice(0, 300);
  if (data['deadLetterStream'] !== undefined) out['deadLettered'] = true;
  return out;
}

/** A name-based uuid: the one entry of a command's pages to one person has one id, whichever event comes first. */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export type TimelineOutcome = 'recorded' | 'unchanged' | 'not_ours' | 'not_for_timeline';

/**
 * Writes one event's entry. Idempotent: an event seen again (redelivery, republish past the
 * stream's dedupe window) writes nothing new. An event of a ticket this database does not have
 * (another installation's, a test's) is skipped.
 */
export async function recordNotificationEvent(sql: Sql, e: EventEnvelope): Promise<TimelineOutcome> {
  if (!e.ticketId) return 'not_for_timeline';
  const ticketId = e.ticketId;
  const data = e.data;
  let written: boolean;
  if (e.type === 'notification.sent' && (data['kind'] === 'page' || data['kind'] === 'update')) {
    const channel = typeof data['channel'] === 'string' ? data['channel'] : null;
    const recipientId = typeof data['recipientId'] === 'string' ? data['recipientId'] : null;
    if (!channel || !recipientId) return 'not_for_timeline';
    const entry = { kind: data['kind'], template: data['template'] ?? null, recipientId, recipientUsername: data['recipientUsername'] ?? null, channels: [channel] };
    written = await addChannelToEntry(
      sql,
      { eventId: stableUuid(`sent:${ticketId}:${String(data['idempotencyKey'])}:${recipientId}`), ticketId, type: e.type, occurredAt: e.occurredAt, actor: e.actor, data: entry },
      channel,
    );
  } else if (e.type === 'notification.delivery_failed' || (e.type === 'notification.sent' && data['kind'] === 'alert')) {
    written = await writeTimelineEntryIfTicket(sql, { eventId: e.id, ticketId, type: e.type, occurredAt: e.occurredAt, actor: e.actor, data: keep(data) });
  } else {
    return 'not_for_timeline';
  }
  if (written) return 'recorded';
  return (await ticketExists(sql, ticketId)) ? 'unchanged' : 'not_ours';
}

export interface NotificationTimelineOptions {
  nc: NatsConnection;
  sql: Sql;
  logger: Logger;
  /** Tests use their own durable (and only new events); the service uses the default. */
  durable?: string;
  deliverNew?: boolean;
  backoffMs?: number[];
}

/** Starts the consumer; returns its stop function. */
export async function startNotificationTimeline(o: NotificationTimelineOptions): Promise<{ stop: () => Promise<void> }> {
  return runConsumer(o.nc, {
    stream: EVENTS_STREAM,
    durable: o.durable ?? NOTIFICATION_TIMELINE_DURABLE,
    filterSubjects: [NOTIFICATION_EVENTS_FILTER],
    maxDeliver: 20,
    backoffMs: o.backoffMs ?? [1_000, 5_000, 15_000, 30_000, 60_000],
    ...(o.deliverNew ? { deliverNew: true } : {}),
    logger: o.logger,
    handle: async (msg: JsMsg) => {
      const raw = messageJson(msg);
      const parsed = EventEnvelopeSchema.safeParse(raw);
      if (!parsed.success) {
        // No retry can fix it; the audit service keeps the stream's copy.
        o.logger.error({ seq: msg.seq }, 'not an event envelope; not put on any timeline');
        msg.term('invalid event envelope');
        return;
      }
      // A database error throws: runConsumer naks with backoff, and the entry lands on redelivery.
      const outcome = await recordNotificationEvent(o.sql, parsed.data);
      o.logger.debug({ eventId: parsed.data.id, type: parsed.data.type, outcome }, 'notification event handled');
      msg.ack();
    },
  });
}
