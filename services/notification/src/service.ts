import { jetstream } from '@nats-io/jetstream';
import type { Logger, NatsConnection, Sql } from '@tierline/platform';
import { createEmailSender, createSlackSender, createSmsSender, createTeamsSender } from './channels.js';
import { startNotifyConsumer } from './consumer.js';
import type { NotificationEnv } from './env.js';
import { createPipeline } from './pipeline.js';
import { IdentityRecipientResolver, type RecipientResolver } from './recipients.js';
import { consumerLagGauges, serviceAccountToken, type Metrics, type ServiceToken } from '@tierline/platform';
import { createVendorLinkMinter, type VendorLinkMinter } from './vendor-links.js';
import { replyToFor } from './inbound/index.js';
import { createRequesterLinkMinter, type RequesterLinkMinter } from './requester-links.js';
import { createUpdateRecorder, startUpdateConsumer } from './updates.js';
import { createPublicNoteReader, type PublicNoteReader } from './public-notes.js';

/**
 * Wires the delivery pipeline, the command consumer and the poller of deferred deliveries.
 * main.ts and the in-process integration tests both start the service through this.
 */
export async function startNotificationWorker(deps: {
  env: NotificationEnv;
  sql: Sql;
  nc: NatsConnection;
  logger: Logger;
  /** Tests hand in their own to provoke failures; by default the identity and ticket services. */
  resolver?: RecipientResolver;
  mintVendorLink?: VendorLinkMinter;
  mintRequesterLinks?: RequesterLinkMinter;
  readPublicNote?: PublicNoteReader;
  rateWindowMs?: number;
  /**
   * Whether this worker also turns ticket events into status updates (the default). A test of
   * pages alone turns it off, so it declares no consumer on the shared events stream.
   */
  updates?: boolean;
  /** The updates' consumer starts from new events only (tests on the shared events stream). */
  updatesFromNow?: boolean;
  /** The process's Prometheus registry: deliveries by outcome and the consumer's lag. */
  metrics?: Metrics;
}) {
  const { env, sql, nc, logger } = deps;
  const token: ServiceToken = serviceAccountToken({ tokenUrl: env.TOKEN_URL, clientId: env.NOTIFICATION_CLIENT_ID, clientSecret: env.NOTIFICATION_CLIENT_SECRET, timeoutMs: env.SEND_TIMEOUT_MS });
  const resolver =
    deps.resolver ?? new IdentityRecipientResolver({ identityUrl: env.IDENTITY_SERVICE_URL, ticketUrl: env.TICKET_SERVICE_URL, token, timeoutMs: env.SEND_TIMEOUT_MS, logger });
  const mintVendorLink = deps.mintVendorLink ?? createVendorLinkMinter({ identityUrl: env.IDENTITY_SERVICE_URL, token, timeoutMs: env.SEND_TIMEOUT_MS });
  const mintRequesterLinks = deps.mintRequesterLinks ?? createRequesterLinkMinter({ identityUrl: env.IDENTITY_SERVICE_URL, token, timeoutMs: env.SEND_TIMEOUT_MS });
  const email = createEmailSender({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, ...(env.MAILPIT_URL ? { mailpitUrl: env.MAILPIT_URL } : {}), timeoutMs: env.SEND_TIMEOUT_MS, replyTo: replyToFor(env) });
  const pipeline = createPipeline({
    sql,
    js: jetstream(nc),
    resolver,
    mintVendorLink,
    mintRequesterLinks,
    readPublicNote: deps.readPublicNote ?? createPublicNoteReader({ ticketUrl: env.TICKET_SERVICE_URL, token, timeoutMs: env.SEND_TIMEOUT_MS }),
    senders: {
      email,
      sms: createSmsSender({ accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN, from: env.TWILIO_FROM, ...(env.TWILIO_API_BASE ? { apiBase: env.TWILIO_API_BASE } : {}), ...(env.TWILIO_STATUS_CALLBACK_URL ? { statusCallbackUrl: env.TWILIO_STATUS_CALLBACK_URL } : {}), timeoutMs: env.SEND_TIMEOUT_MS }),
      slack: createSlackSender({ token: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL, timeoutMs: env.SEND_TIMEOUT_MS }),
      teams: createTeamsSender({ webhookUrl: env.TEAMS_WEBHOOK_URL, timeoutMs: env.SEND_TIMEOUT_MS }),
    },
    logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    portalUrl: env.PORTAL_URL,
    rateLimit: env.RATE_LIMIT_PER_MINUTE,
    ...(deps.rateWindowMs ? { rateWindowMs: deps.rateWindowMs } : {}),
    // A send that outlives its timeout is over; the lease adds a margin for the database.
    leaseMs: env.SEND_TIMEOUT_MS * 2,
    maxAttempts: env.NOTIFY_MAX_DELIVER,
    retryDelaysMs: env.NOTIFY_BACKOFF_MS,
  });
  const consumer = await startNotifyConsumer({
    nc,
    pipeline,
    logger,
    stream: env.NOTIFY_STREAM,
    subject: env.NOTIFY_SUBJECT,
    durable: env.NOTIFY_DURABLE,
    deadLetterStream: env.DEAD_LETTER_STREAM,
    maxDeliver: env.NOTIFY_MAX_DELIVER,
    backoffMs: env.NOTIFY_BACKOFF_MS,
    ackWaitMs: env.NOTIFY_ACK_WAIT_MS,
  });
  const updates = deps.updates === false ? null : await startUpdateConsumer({
    nc,
    record: createUpdateRecorder({ sql, logger, coalesceMs: env.UPDATE_COALESCE_MS, maxAgeMs: env.UPDATE_MAX_AGE_MS }),
    logger,
    stream: env.UPDATE_EVENTS_STREAM,
    subject: env.UPDATE_EVENTS_SUBJECT,
    durable: env.UPDATE_EVENTS_DURABLE,
    maxDeliver: env.NOTIFY_MAX_DELIVER,
    backoffMs: env.NOTIFY_BACKOFF_MS,
    ackWaitMs: env.NOTIFY_ACK_WAIT_MS,
    ...(deps.updatesFromNow ? { deliverNew: true } : {}),
  });
  if (deps.metrics)
    consumerLagGauges(deps.metrics, nc, [
      { stream: env.NOTIFY_STREAM, durable: env.NOTIFY_DURABLE },
      ...(updates ? [{ stream: env.UPDATE_EVENTS_STREAM, durable: env.UPDATE_EVENTS_DURABLE }] : []),
    ]);
  // The poller is a plain loop over an indexed query; every replica may run it, the row leases
  // (FOR UPDATE SKIP LOCKED + claimed_until) keep them from sending the same row twice.
  let stopped = false;
  let polling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    if (stopped) return;
    polling = polling
      .then(() => pipeline.pollDue().then(() => undefined, (err: unknown) => logger.warn({ err }, 'poll of deferred deliveries failed')))
      .then(() => (updates ? pipeline.pollUpdates() : 0))
      .then(
        () => undefined,
        (err: unknown) => logger.warn({ err }, 'poll of status updates failed'),
      );
  }, env.POLL_INTERVAL_MS);
  return {
    pipeline,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await polling;
      await consumer.stop();
      await updates?.stop();
      email.close();
    },
  };
}
