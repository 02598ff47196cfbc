import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type ConsumerConfig,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import { headers as natsHeaders, nanos, type MsgHdrs } from '@nats-io/nats-core';
import {
  COMMANDS_STREAM,
  EVENTS_STREAM,
  EVENTS_SUBJECT_PREFIX,
  EventEnvelopeSchema,
  eventDataProblem,
  subjectForEvent,
  type EventEnvelope,
} from '@tierline/contracts';
import { runWithLogContext, type Logger } from './logger.js';
import { SpanKind, extractTraceContext, injectTraceContext, tracingEnabled, withSpan } from './tracing.js';

export type { NatsConnection, JetStreamClient, JetStreamManager, JsMsg };

/**
 * Who a process is to NATS. Each Tierline process has its own user (infra/nats/nats.conf), whose
 * permissions allow only its own subjects; the password's bcrypt hash is all the server keeps.
 */
export interface NatsCredentials {
  user?: string | undefined;
  password?: string | undefined;
}

/**
 * Splits `nats://user:password@host:port,…` into the servers and the credentials, the form
 * NATS_URL may also take (as for the Go client and the NATS CLI). The tests' URL carries the
 * `tests` user this way (packages/testing testEnv), so every caller of connectNats logs in
 * without knowing it. The credentials are taken off the URLs handed to the client, so they
 * never appear in its errors or status messages.
 */
export function parseNatsServers(servers: string): { servers: string[]; credentials: NatsCredentials } {
  let credentials: NatsCredentials = {};
  const list = servers.split(',').map((raw) => {
    const m = /^([a-z]+:\/\/)([^@/]*)@(.*)$/i.exec(raw.trim());
    if (!m) return raw.trim();
    const [, scheme = '', userinfo = '', rest = ''] = m;
    const colon = userinfo.indexOf(':');
    const user = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    const password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
    if (credentials.user !== undefined && (credentials.user !== user || credentials.password !== password)) {
      throw new Error('NATS_URL: every server of the list must carry the same credentials');
    }
    credentials = { user, password };
    return `${scheme}${rest}`;
  });
  return { servers: list, credentials };
}

/**
 * Connects to NATS as `credentials.user` (else as the user in the URL, else anonymously, which
 * the configured server refuses). With a user, replies come back on the inbox `_INBOX_<user>`:
 * the server lets each user subscribe to its own inbox only, so no process can read the
 * answers and pulled messages meant for another.
 */
export async function connectNats(servers: string, name: string, logger?: Logger, credentials: NatsCredentials = {}): Promise<NatsConnection> {
  const parsed = parseNatsServers(servers);
  const user = credentials.user ?? parsed.credentials.user;
  const password = credentials.user !== undefined ? credentials.password : parsed.credentials.password;
  if (user !== undefined && !/^[A-Za-z0-9_-]+$/.test(user)) throw new Error('NATS user must be letters, digits, "_" or "-"');
  if (user !== undefined && !password) throw new Error(`NATS user ${user} has no password`);
  const nc = await connect({
    servers: parsed.servers,
    name,
    ...(user !== undefined ? { user, pass: password, inboxPrefix: `_INBOX_${user}` } : {}),
    // Keep trying for as long as the process lives: a NATS restart must not kill services.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
  if (logger) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect') logger.warn({ nats: s.type }, 'nats status');
        // E.g. a permissions violation: names the operation and subject the server refused.
        if (s.type === 'error') logger.warn({ nats: s.type, err: s.error }, 'nats status');
      }
    })();
  }
  return nc;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The streams Tierline needs. Declared in code at start-up; re-running is harmless. */
export const STREAMS: (Partial<StreamConfig> & { name: string })[] = [
  {
    name: EVENTS_STREAM,
    subjects: [`${EVENTS_SUBJECT_PREFIX}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(90 * DAY_MS),
    // A retried publish within this window with the same Nats-Msg-Id is stored once.
    duplicate_window: nanos(60 * 60 * 1000),
  },
  {
    name: COMMANDS_STREAM,
    subjects: ['tierline.commands.>'],
    storage: StorageType.File,
    retention: RetentionPolicy.Workqueue,
    max_age: nanos(7 * DAY_MS),
    duplicate_window: nanos(60 * 60 * 1000),
  },
];

export async function ensureStreams(nc: NatsConnection, streams = STREAMS): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  for (const cfg of streams) {
    const name = cfg.name;
    try {
      await jsm.streams.info(name);
      await jsm.streams.update(name, cfg);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Another process may create it between our info and add (every service declares the
      // streams at start-up); then ours is an update of the one it made.
      await jsm.streams.add(cfg).catch(async (addErr: unknown) => {
        if (!(await jsm.streams.info(name).then(() => true, () => false))) throw addErr;
        await jsm.streams.update(name, cfg);
      });
    }
  }
  return jsm;
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; message?: string; api_error?: { err_code?: number } };
  return e?.api_error?.err_code === 10059 || /stream not found/i.test(e?.message ?? '') || e?.code === '404';
}

/**
 * Publishes an event with `Nats-Msg-Id` = event id, so a retry is deduplicated by the server.
 * An event whose data break its type's schema (free text in a ticket event, docs/decisions/0022)
 * is refused before it leaves.
 */
export async function publishEvent(js: JetStreamClient, event: EventEnvelope): Promise<{ seq: number; duplicate: boolean }> {
  const parsed = EventEnvelopeSchema.parse(event);
  const problem = eventDataProblem(parsed, 'keys');
  if (problem) throw new Error(`refusing to publish an invalid event: ${problem}`);
  const ack = await publishTraced(js, subjectForEvent(parsed.type), JSON.stringify(parsed), { msgID: parsed.id, timeout: 10_000 });
  return { seq: ack.seq, duplicate: ack.duplicate };
}

/**
 * A JetStream publish in a producer span whose traceparent travels in the message headers, so
 * the consumer's work (runConsumer) joins the publisher's trace: the HTTP request or the workflow
 * activity that caused the message. The span carries the subject and the message id only — the
 * subject names the event type, never a person. Every Tierline publish of an event or command
 * goes through here.
 */
export async function publishTraced(
  js: JetStreamClient,
  subject: string,
  payload: string | Uint8Array,
  opts: { msgID: string; timeout?: number; headers?: MsgHdrs },
): Promise<{ seq: number; duplicate: boolean }> {
  if (!tracingEnabled()) return js.publish(subject, payload, opts);
  return withSpan(
    `publish ${subject}`,
    { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'nats', 'messaging.operation.type': 'publish', 'messaging.destination.name': subject, 'messaging.message.id': opts.msgID } },
    async (span) => {
      const h = opts.headers ?? natsHeaders();
      injectTraceContext(h);
      const ack = await js.publish(subject, payload, { ...opts, headers: h });
      span.setAttributes({ 'tierline.stream': ack.stream, 'tierline.stream_seq': ack.seq, 'tierline.duplicate': ack.duplicate });
      return ack;
    },
  );
}

/**
 * Runs a consumer's handling of one message with its correlation: the consumer and stream
 * sequence on every log line, and, with tracing on, a consumer span that continues the
 * publisher's trace from the message's traceparent header.
 */
export function handleTraced<T>(msg: JsMsg, durable: string, fn: () => Promise<T>): Promise<T> {
  return runWithLogContext({ consumer: durable, seq: msg.seq }, () => {
    if (!tracingEnabled()) return fn();
    return withSpan(
      `process ${msg.subject}`,
      {
        kind: SpanKind.CONSUMER,
        parent: extractTraceContext(msg.headers),
        attributes: {
          'messaging.system': 'nats',
          'messaging.operation.type': 'process',
          'messaging.destination.name': msg.subject,
          'messaging.consumer.group.name': durable,
          'tierline.stream_seq': msg.seq,
          'tierline.delivery_count': msg.info.deliveryCount,
        },
      },
      fn,
    );
  });
}

export interface ConsumeOptions {
  stream: string;
  durable: string;
  filterSubjects?: string[];
  /** After this many deliveries a message is terminated (and, where configured, dead-lettered). */
  maxDeliver?: number;
  /** Redelivery delays in ms, one per attempt. */
  backoffMs?: number[];
  ackWaitMs?: number;
  /** Start from new messages only (tests); services read the whole stream. */
  deliverNew?: boolean;
  logger: Logger;
  handle: (msg: JsMsg) => Promise<void>;
}

function filterConfig(filters: string[]): Partial<ConsumerConfig> {
  if (filters.length === 0) return {};
  if (filters.length === 1) return { filter_subject: filters[0], filter_subjects: undefined };
  return { filter_subjects: filters };
}

/**
 * A durable, explicit-ack consume loop that survives a failing message (nak with delay) and a
 * lost connection or deleted consumer (re-declares and resubscribes). Returns a stop function.
 */
export async function runConsumer(nc: NatsConnection, opts: ConsumeOptions): Promise<{ stop: () => Promise<void> }> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const maxDeliver = opts.maxDeliver ?? 10;
  const backoff = opts.backoffMs ?? [1_000, 5_000, 15_000, 30_000, 60_000];
  const declare = async () => {
    const cfg = {
      durable_name: opts.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: opts.deliverNew ? DeliverPolicy.New : DeliverPolicy.All,
      ack_wait: nanos(opts.ackWaitMs ?? 30_000),
      max_deliver: maxDeliver,
      max_ack_pending: 1000,
      // One filter goes in filter_subject: the client then names it in the request subject
      // ($JS.API.CONSUMER.CREATE.<stream>.<durable>.<filter>), so the server's permissions can pin
      // which subjects a service's consumer may read (infra/nats/permissions.conf). The list form
      // would use DURABLE.CREATE, whose subject says nothing about the filter. Clearing
      // filter_subjects lets an update replace a consumer declared in the list form before.
      ...filterConfig(opts.filterSubjects ?? []),
    };
    try {
      await jsm.consumers.info(opts.stream, opts.durable);
      await jsm.consumers.update(opts.stream, opts.durable, cfg);
    } catch {
      await jsm.consumers.add(opts.stream, cfg);
    }
  };
  await declare();
  let stopped = false;
  let current: { stop: () => void } | null = null;
  const loop = (async () => {
    while (!stopped) {
      try {
        const consumer = await js.consumers.get(opts.stream, opts.durable);
        const messages = await consumer.consume({ max_messages: 256 });
        current = { stop: () => void messages.close() };
        for await (const msg of messages) {
          try {
            await handleTraced(msg, opts.durable, () => opts.handle(msg));
          } catch (err) {
            const attempt = msg.info.deliveryCount;
            if (attempt >= maxDeliver) {
              opts.logger.error({ err, seq: msg.seq, attempt }, 'message failed for the last time; terminating');
              msg.term(`failed after ${attempt} deliveries`);
            } else {
              const delay = backoff[Math.min(attempt - 1, backoff.length - 1)] ?? 1_000;
              opts.logger.warn({ err, seq: msg.seq, attempt, delay }, 'message failed; will be redelivered');
              msg.nak(delay);
            }
          }
          if (stopped) break;
        }
      } catch (err) {
        if (stopped) break;
        opts.logger.warn({ err, durable: opts.durable }, 'consumer interrupted; resubscribing');
        await new Promise((r) => setTimeout(r, 1_000));
        await declare().catch(() => undefined);
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      current?.stop();
      await loop;
    },
  };
}

/** A message's JSON body, or `undefined` when it is not JSON: what a schema's safeParse then refuses. */
export function messageJson(msg: { json<T = unknown>(): T }): unknown {
  try {
    return msg.json();
  } catch {
    return undefined;
  }
}
