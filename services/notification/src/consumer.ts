import { headers as natsHeaders, nanos } from '@nats-io/nats-core';
import { RetentionPolicy, StorageType, jetstream } from '@nats-io/jetstream';
import { NotifyCommandSchema } from '@tierline/contracts';
import { messageJson, annotateTicket, ensureStreams, publishEvent, publishTraced, runConsumer, type JsMsg, type Logger, type NatsConnection } from '@tierline/platform';
import type { Pipeline } from './pipeline.js';
import { stableUuid } from './pipeline.js';

export const DEAD_LETTER_SUBJECT_PREFIX = 'tierline.dead_letters';

/** Declares the dead-letter stream (idempotent): terminated commands are kept here for a person. */
export async function ensureDeadLetterStream(nc: NatsConnection, name: string) {
  await ensureStreams(nc, [
    { name, subjects: [`${DEAD_LETTER_SUBJECT_PREFIX}.>`], storage: StorageType.File, retention: RetentionPolicy.Limits, max_age: nanos(30 * 24 * 60 * 60 * 1000) },
  ]);
}

export interface NotifyConsumerOptions {
  nc: NatsConnection;
  pipeline: Pipeline;
  logger: Logger;
  stream: string;
  subject: string;
  durable: string;
  deadLetterStream: string;
  maxDeliver: number;
  backoffMs: number[];
  ackWaitMs: number;
}

/**
 * The durable, explicit-ack consumer of notification commands. A command is acknowledged only
 * when all its deliveries are settled. On its last delivery the pipeline gives failing sends up
 * (failed + alert) and acks; anything still throwing then is copied to the dead-letter stream
 * before runConsumer terminates it, and announced as a delivery_failed event.
 */
export async function startNotifyConsumer(o: NotifyConsumerOptions) {
  await ensureDeadLetterStream(o.nc, o.deadLetterStream);
  const js = jetstream(o.nc);
  const deadLetter = async (msg: JsMsg, reason: string) => {
    const h = natsHeaders();
    h.set('Tierline-Original-Subject', msg.subject);
    h.set('Tierline-Original-Seq', String(msg.seq));
    h.set('Tierline-Reason', reason.slice(0, 500));
    await publishTraced(js, `${DEAD_LETTER_SUBJECT_PREFIX}.notify`, msg.data, { headers: h, msgID: `dl-${o.stream}-${msg.seq}` });
    let ticketId: string | undefined;
    try {
      ticketId = (msg.json<{ ticketId?: string }>()).ticketId;
    } catch {
      ticketId = undefined;
    }
    await publishEvent(js, {
      id: stableUuid(`dead-letter:${o.stream}:${msg.seq}`),
      type: 'notification.delivery_failed',
      occurredAt: new Date().toISOString(),
      actor: { kind: 'system', id: 'notification' },
      ...(ticketId && /^[0-9a-f-]{36}$/i.test(ticketId) ? { ticketId } : {}),
      data: { reason, deadLetterStream: o.deadLetterStream, commandSeq: msg.seq },
      schemaVersion: 1,
    });
  };
  return runConsumer(o.nc, {
    stream: o.stream,
    durable: o.durable,
    filterSubjects: [o.subject],
    maxDeliver: o.maxDeliver,
    backoffMs: o.backoffMs,
    ackWaitMs: o.ackWaitMs,
    logger: o.logger,
    handle: async (msg) => {
      const raw = messageJson(msg);
      const parsed = NotifyCommandSchema.safeParse(raw);
      if (!parsed.success) {
        // Retrying cannot fix a malformed command: keep it for a person, loudly.
        o.logger.error({ seq: msg.seq, issues: parsed.success ? undefined : parsed.error.issues }, 'invalid notify command; dead-lettering it');
        await deadLetter(msg, 'invalid command');
        msg.term('invalid command');
        return;
      }
      annotateTicket(parsed.data.ticketId);
      const isLast = msg.info.deliveryCount >= o.maxDeliver;
      try {
        // Keep the message ours while slow providers answer.
        const keepAlive = setInterval(() => msg.working(), Math.max(1000, o.ackWaitMs / 3));
        try {
          await o.pipeline.handleCommand(parsed.data, { isLast });
        } finally {
          clearInterval(keepAlive);
        }
      } catch (err) {
        if (isLast) await deadLetter(msg, (err as Error).message);
        throw err;
      }
      msg.ack();
    },
  });
}
