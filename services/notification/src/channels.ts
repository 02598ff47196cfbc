import { createHash } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import nodemailer from 'nodemailer';
import twilio from 'twilio';
import { WebClient } from '@slack/web-api';
import type { NotificationChannel } from '@tierline/contracts';
import type { Recipient } from './recipients.js';
import { renderEmail, renderShortText, renderSlack, renderTeams, type AlertView, type PageView } from './templates.js';
import { renderUpdateEmail, renderUpdateShortText, renderUpdateTeams, updateViewFor, type UpdateView } from './update-templates.js';

export interface OutgoingMessage {
  channel: NotificationChannel;
  recipient: Recipient;
  pages: PageView[];
  alert?: AlertView;
  /** A status update to a requester or watcher (then `pages` is empty); each sender renders only its channel's view. */
  update?: UpdateView;
  /** Stable across retries of the same delivery: what providers deduplicate on. */
  idempotencyKey: string;
  /** True when an earlier attempt may have reached the provider (a crash or a lost answer). */
  mayHaveBeenSent: boolean;
}

export interface ChannelSender {
  send(msg: OutgoingMessage): Promise<{ providerMessageId: string }>;
}

/** A recipient's address on a channel, or null when they have none there. */
export function addressOf(r: Recipient, channel: NotificationChannel): string | null {
  const a = channel === 'email' ? r.email : channel === 'sms' ? r.mobile : channel === 'slack' ? r.slackHandle : r.teamsHandle;
  return a ?? null;
}

/** A deterministic Message-ID, so a resend after a crash is recognisably the same mail. */
export const messageIdFor = (key: string) => `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@notification.tierline>`;

export class ProviderError extends Error {
  override name = 'ProviderError';
}

export function createEmailSender(opts: {
  smtpUrl: string;
  from: string;
  mailpitUrl?: string;
  timeoutMs: number;
  /** The reply address of a ticket (inbound/reply-address.ts): a reply to the mail becomes a comment on it. */
  replyTo?: (ticketNumber: string) => string;
}): ChannelSender & { close(): void } {
  const url = new URL(opts.smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
  });
  /**
   * SMTP has no idempotency token. Locally, Mailpit can be asked whether the Message-ID already
   * arrived; elsewhere, the deterministic Message-ID at least lets mail clients collapse a
   * duplicate from the crash window.
   */
  const alreadyDelivered = async (messageId: string): Promise<boolean> => {
    if (!opts.mailpitUrl) return false;
    const q = new URLSearchParams({ query: `message-id:"${messageId.slice(1, -1)}"` });
    const res = await fetch(`${opts.mailpitUrl.replace(/\/$/, '')}/api/v1/search?${q.toString()}`, { signal: AbortSignal.timeout(opts.timeoutMs) });
    if (!res.ok) throw new ProviderError(`mailpit search answered HTTP ${res.status}`);
    const body = (await res.json()) as { messages_count?: number };
    return (body.messages_count ?? 0) > 0;
  };
  return {
    async send(msg) {
      const to = addressOf(msg.recipient, 'email');
      if (!to) throw new ProviderError('recipient has no email address');
      const messageId = messageIdFor(msg.idempotencyKey);
      if (msg.mayHaveBeenSent && (await alreadyDelivered(messageId))) return { providerMessageId: messageId };
      const content = msg.update ? renderUpdateEmail(updateViewFor('email', msg.update)) : renderEmail(msg.pages, msg.alert);
      // Mail about one ticket answers to that ticket's reply address; a digest of several to nobody in particular.
      const tickets = new Set(msg.update ? [msg.update.ticketNumber] : msg.pages.map((p) => p.ticketNumber));
      const [only] = tickets;
      const replyTo = opts.replyTo && tickets.size === 1 && only ? opts.replyTo(only) : undefined;
      await transport.sendMail({
        from: opts.from,
        to: { name: msg.recipient.displayName, address: to },
        messageId,
        ...(replyTo ? { replyTo } : {}),
        // RFC 3834: generated mail; auto-responders do not answer it (and inbound/ ignores mail that says this).
        headers: { 'Auto-Submitted': 'auto-generated' },
        ...content,
      });
      return { providerMessageId: messageId };
    },
    close: () => transport.close(),
  };
}

/**
 * SMS through the `twilio` library. It builds https://api.twilio.com/… URLs and only lets you
 * change the region/edge part of the host name, so it cannot reach a local stand-in by options
 * alone. Its documented `httpClient` option can: this RequestClient rewrites the origin to
 * `apiBase` (when configured) and adds `I-Twilio-Idempotency-Token` for the current send, taken
 * from an AsyncLocalStorage because `messages.create` takes no per-call headers.
 */
export function createSmsSender(opts: { accountSid: string; authToken: string; from: string; apiBase?: string; statusCallbackUrl?: string; timeoutMs: number }): ChannelSender {
  const tokenStore = new AsyncLocalStorage<string>();
  class LocalRequestClient extends twilio.RequestClient {
    override request<T>(req: Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0]) {
      const uri = new URL(req.uri);
      if (opts.apiBase) {
        const base = new URL(opts.apiBase);
        uri.protocol = base.protocol;
        uri.host = base.host;
      }
      const token = tokenStore.getStore();
      return super.request<T>({ ...req, uri: uri.toString(), headers: { ...req.headers, ...(token ? { 'I-Twilio-Idempotency-Token': token } : {}) } } as never);
    }
  }
  const client = twilio(opts.accountSid, opts.authToken, { httpClient: new LocalRequestClient({ timeout: opts.timeoutMs }), autoRetry: false });
  return {
    async send(msg) {
      const to = addressOf(msg.recipient, 'sms');
      if (!to) throw new ProviderError('recipient has no mobile number');
      // Twilio keeps idempotency tokens for a limited time; a short hash keeps the header small.
      const token = createHash('sha256').update(msg.idempotencyKey).digest('hex').slice(0, 40);
      const m = await tokenStore.run(token, () =>
        client.messages.create({
          to,
          from: opts.from,
          body: msg.update ? renderUpdateShortText(updateViewFor('sms', msg.update)) : renderShortText(msg.pages, msg.alert),
          // Twilio then reports delivered / undelivered / failed (routes/webhooks_twilio_status.ts).
          ...(opts.statusCallbackUrl ? { statusCallback: opts.statusCallbackUrl } : {}),
        }),
      );
      return { providerMessageId: m.sid };
    },
  };
}

/**
 * Slack chat.postMessage via @slack/web-api. Slack documents no idempotency header; the local
 * stand-in honours X-Idempotency-Key so the crash window can be tested, against real Slack that
 * window stays at-least-once. The library's own retries are off: JetStream redelivery retries.
 */
export function createSlackSender(opts: { token: string; apiUrl: string; timeoutMs: number }): ChannelSender {
  return {
    async send(msg) {
      const channel = addressOf(msg.recipient, 'slack');
      if (!channel) throw new ProviderError('recipient has no Slack handle');
      const client = new WebClient(opts.token, {
        slackApiUrl: opts.apiUrl,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: opts.timeoutMs,
        headers: { 'X-Idempotency-Key': msg.idempotencyKey },
      });
      const text = msg.update ? renderUpdateShortText(updateViewFor('slack', msg.update)) : null;
      const content = text ? { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] } : renderSlack(msg.pages, msg.alert);
      const res = await client.chat.postMessage({ channel, ...content });
      if (!res.ok || !res.ts) throw new ProviderError(`slack refused the message: ${res.error ?? 'no ts'}`);
      return { providerMessageId: res.ts };
    },
  };
}

/** Teams incoming webhook with an Adaptive Card; same idempotency caveat as Slack. */
export function createTeamsSender(opts: { webhookUrl: string; timeoutMs: number }): ChannelSender {
  return {
    async send(msg) {
      if (!addressOf(msg.recipient, 'teams')) throw new ProviderError('recipient has no Teams handle');
      const res = await fetch(opts.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Idempotency-Key': msg.idempotencyKey },
        body: JSON.stringify(msg.update ? renderUpdateTeams(updateViewFor('teams', msg.update), msg.recipient) : renderTeams(msg.pages, msg.recipient, msg.alert)),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      const text = await res.text();
      if (!res.ok) throw new ProviderError(`teams webhook answered HTTP ${res.status}: ${text.slice(0, 200)}`);
      return { providerMessageId: `teams:${createHash('sha256').update(msg.idempotencyKey).digest('hex').slice(0, 16)}` };
    },
  };
}

export type Senders = Record<NotificationChannel, ChannelSender>;
