import { EVENTS_STREAM, EVENTS_SUBJECT_PREFIX, EventEnvelopeSchema } from '@tierline/contracts';
import { annotateTicket, runConsumer, type Logger, type NatsConnection, type Sql } from '@tierline/platform';
import { appendEvent } from './store.js';

export const AUDIT_DURABLE = 'audit';

/**
 * Records every event. The message is acknowledged only after its row is committed, so a crash
 * loses nothing (JetStream redelivers) and a redelivery doubles nothing (event id is unique).
 */
export async function startAuditConsumer(opts: { nc: NatsConnection; sql: Sql; logger: Logger; durable?: string; deliverNew?: boolean }) {
  return runConsumer(opts.nc, {
    stream: EVENTS_STREAM,
    durable: opts.durable ?? AUDIT_DURABLE,
    filterSubjects: [`${EVENTS_SUBJECT_PREFIX}.>`],
    logger: opts.logger,
    deliverNew: opts.deliverNew ?? false,
    handle: async (msg) => {
      let raw: unknown;
      try {
        raw = msg.json();
      } catch {
        opts.logger.error({ seq: msg.seq, subject: msg.subject }, 'event is not JSON; terminating it');
        msg.term('not JSON');
        return;
      }
      const parsed = EventEnvelopeSchema.safeParse(raw);
      if (!parsed.success) {
        // Retrying cannot fix a malformed event; keep it out of the chain, loudly.
        opts.logger.error({ seq: msg.seq, subject: msg.subject, issues: parsed.error.issues }, 'invalid event envelope; terminating it');
        msg.term('invalid envelope');
        return;
      }
      if (parsed.data.ticketId) annotateTicket(parsed.data.ticketId);
      const { inserted, seq } = await appendEvent(opts.sql, parsed.data);
      opts.logger.debug({ eventId: parsed.data.id, type: parsed.data.type, seq, inserted }, 'event recorded');
      msg.ack();
    },
  });
}
