import nodemailer from 'nodemailer';
import { serviceAccountToken, type Logger, type ServiceToken, type Sql } from '@tierline/platform';
import type { NotificationEnv } from '../env.js';
import { startSmtpListener } from './listener.js';
import { processInbound, type AutoReplySender, type ProcessorDeps } from './processor.js';
import { replyAddressFor, type ReplyAddressConfig } from './reply-address.js';
import { createInboundServices, type InboundServices } from './services.js';
import { claimNext, finish, retryLater } from './store.js';

/** The domain of the Message-IDs Tierline writes (channels.ts messageIdFor, and the answers below). */
export const OWN_MESSAGE_ID_DOMAIN = 'notification.tierline';

export function replyAddressConfig(env: Pick<NotificationEnv, 'HELPDESK_ADDRESS' | 'REPLY_TOKEN_KEYS'>): ReplyAddressConfig {
  return { helpdeskAddress: env.HELPDESK_ADDRESS, keys: env.REPLY_TOKEN_KEYS };
}

/** The Reply-To of Tierline's mail about one ticket (channels.ts). */
export const replyToFor = (env: Pick<NotificationEnv, 'HELPDESK_ADDRESS' | 'REPLY_TOKEN_KEYS'>) => (ticketNumber: string) => replyAddressFor(ticketNumber, replyAddressConfig(env));

function createAutoReplySender(env: NotificationEnv): { send: AutoReplySender; close: () => void } {
  const transport = nodemailer.createTransport(env.SMTP_URL, { connectionTimeout: env.SEND_TIMEOUT_MS, socketTimeout: env.SEND_TIMEOUT_MS } as never);
  return {
    async send(m) {
      await transport.sendMail({
        from: env.MAIL_FROM,
        to: m.to,
        subject: m.subject,
        text: m.text,
        messageId: `<inbound-reply.${m.inboundId}@${OWN_MESSAGE_ID_DOMAIN}>`,
        ...(m.inReplyTo ? { inReplyTo: m.inReplyTo, references: m.inReplyTo } : {}),
        // RFC 3834: an automatic answer; other robots must not answer it back.
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
      });
    },
    close: () => transport.close(),
  };
}

/**
 * Mail in: the SMTP listener and the processor of stored messages (a loop over the
 * inbound_messages table with leases, so every replica may run it, and a message stored by a
 * process that died is processed by the next one).
 */
export async function startInbound(deps: {
  env: NotificationEnv;
  sql: Sql;
  logger: Logger;
  token?: ServiceToken;
  services?: InboundServices;
  /** false: only receive and store (tests of a process that dies before processing). */
  process?: boolean;
}) {
  const { env, sql, logger } = deps;
  const token = deps.token ?? serviceAccountToken({ tokenUrl: env.TOKEN_URL, clientId: env.NOTIFICATION_CLIENT_ID, clientSecret: env.NOTIFICATION_CLIENT_SECRET, timeoutMs: env.SEND_TIMEOUT_MS });
  const services = deps.services ?? createInboundServices({ identityUrl: env.IDENTITY_SERVICE_URL, ticketUrl: env.TICKET_SERVICE_URL, token, timeoutMs: env.SEND_TIMEOUT_MS });
  const replies = createAutoReplySender(env);
  const addresses = replyAddressConfig(env);
  const processorDeps: ProcessorDeps = {
    sql,
    logger,
    services,
    sendReply: replies.send,
    addresses,
    own: { addresses: [env.MAIL_FROM, env.HELPDESK_ADDRESS], messageIdDomains: [OWN_MESSAGE_ID_DOMAIN] },
    authservId: env.INBOUND_AUTHSERV_ID,
    portalUrl: env.PORTAL_URL,
    helpdeskPhone: env.HELPDESK_PHONE,
    replyWindowMinutes: env.INBOUND_REPLY_WINDOW_MINUTES,
  };
  const leaseMs = env.SEND_TIMEOUT_MS * 4;
  const processing = deps.process !== false;

  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let again = false;
  /** Processes everything due, one message at a time; a call while it runs makes it go round once more. */
  const drain = async () => {
    do {
      again = false;
      for (;;) {
        if (stopped) return;
        const row = await claimNext(sql, leaseMs);
        if (!row) break;
        try {
          const outcome = await processInbound(processorDeps, row);
          await finish(sql, row.id, outcome);
          logger.info({ inboundId: row.id, status: outcome.status, ticketNumber: outcome.ticketNumber ?? null, attachments: outcome.attachmentCount ?? 0 }, 'inbound mail processed');
        } catch (err) {
          const result = await retryLater(sql, row, (err as Error).message ?? String(err), { maxAttempts: env.INBOUND_MAX_ATTEMPTS, delaysMs: env.INBOUND_RETRY_MS });
          logger.warn({ err, inboundId: row.id, result }, 'inbound mail processing failed');
        }
      }
    } while (again && !stopped);
  };
  const kick = () => {
    if (!processing || stopped) return;
    again = true;
    running = running.then(drain).catch((err: unknown) => logger.warn({ err }, 'inbound mail processing round failed'));
  };
  const listener = await startSmtpListener({
    sql,
    logger,
    host: env.INBOUND_SMTP_HOST,
    port: env.INBOUND_SMTP_PORT,
    allowed: env.INBOUND_ALLOWED_CLIENTS,
    maxBytes: env.INBOUND_MAX_BYTES,
    addresses,
    onStored: kick,
  });
  const timer = processing ? setInterval(kick, env.POLL_INTERVAL_MS) : null;
  timer?.unref();
  kick();
  logger.info({ port: listener.port, helpdesk: env.HELPDESK_ADDRESS }, 'inbound SMTP listening');
  return {
    port: listener.port,
    kick,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await listener.close();
      await running;
      replies.close();
    },
  };
}
