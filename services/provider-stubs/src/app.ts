import { createHmac } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';

/**
 * Local stand-ins for the SMS, Slack and Teams providers. Each accepts only requests in the
 * provider's documented format and answers with the provider's documented error otherwise, so a
 * test that passes here sends what the real provider would take. What was accepted is recorded
 * and can be read back; tests can make a provider fail or answer slowly.
 *
 * Idempotency: Twilio documents the `I-Twilio-Idempotency-Token` header (a repeated request with
 * the same token is not sent twice). Slack and Teams document no such header; the stand-ins honour
 * `X-Idempotency-Key` so Tierline's crash-window handling can be exercised, and the README says
 * that against the real Slack/Teams that window is at-least-once.
 */

export const PROVIDERS = ['twilio', 'slack', 'teams'] as const;
export type Provider = (typeof PROVIDERS)[number];

export interface RecordedRequest {
  provider: Provider;
  receivedAt: string;
  idempotencyKey: string | null;
  /** What the provider would deliver: form fields (Twilio) or the JSON body (Slack, Teams). */
  body: Record<string, unknown>;
  /** The provider's id of the accepted message. */
  messageId: string;
}

export interface StubConfig {
  twilio: { accountSid: string; authToken: string };
  slack: { token: string };
  /** Path segment(s) after /teams/webhook/ that identify a valid webhook. */
  teams: { webhookId: string };
}

export const DEFAULT_STUB_CONFIG: StubConfig = {
  twilio: { accountSid: 'AC00000000000000000000000000000000', authToken: 'stub-auth-token' },
  slack: { token: 'xoxb-stub-token' },
  teams: { webhookId: 'tierline-stub' },
};

/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{1,14}$/;

/** A status callback the SMS stand-in made, as Twilio would to a message's StatusCallback URL. */
export interface StatusCallbackRecord {
  url: string;
  fields: Record<string, string>;
  /** The answer of the callback's receiver (0: unreachable). */
  status: number;
}

/** The final states Twilio reports for an outbound message. */
export const SMS_OUTCOMES = ['delivered', 'undelivered', 'failed'] as const;

/**
 * Twilio's request signature (X-Twilio-Signature): base64 of HMAC-SHA1, keyed with the account's
 * auth token, over the full URL followed by every POST parameter as name and value, sorted by
 * name. Computed here independently of the twilio library, which the receiver verifies with.
 */
export function twilioSignature(authToken: string, url: string, fields: Record<string, string>): string {
  const data = Object.keys(fields)
    .sort()
    .reduce((acc, k) => acc + k + fields[k], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

export interface StubState {
  requests: RecordedRequest[];
  callbacks: StatusCallbackRecord[];
  /** Final states for the next SMS with a StatusCallback, in order; empty: delivered. */
  smsOutcomes: { status: (typeof SMS_OUTCOMES)[number]; errorCode: string | null }[];
  failures: Map<Provider, number>;
  delays: Map<Provider, number>;
  byKey: Map<string, { status: number; body: unknown; text?: string }>;
  seq: number;
}

const KnobSchema = z.object({ provider: z.enum(PROVIDERS), count: z.number().int().nonnegative().optional(), ms: z.number().int().nonnegative().max(600_000).optional() });

export function createProviderStubs(config: StubConfig = DEFAULT_STUB_CONFIG) {
  const state: StubState = { requests: [], callbacks: [], smsOutcomes: [], failures: new Map(), delays: new Map(), byKey: new Map(), seq: 0 };
  const app = new Hono();

  const nextId = (prefix: string, len: number) => `${prefix}${(++state.seq).toString(16).padStart(len, '0')}`;

  /** Takes one pending injected failure of `provider`, if any. */
  const takeFailure = (p: Provider) => {
    const n = state.failures.get(p) ?? 0;
    if (n <= 0) return false;
    state.failures.set(p, n - 1);
    return true;
  };
  const delay = async (p: Provider) => {
    const ms = state.delays.get(p) ?? 0;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  };

  /**
   * Records an accepted request once per idempotency key and answers with the same response to a
   * repeat. The record is made on receipt, before any injected delay: a provider that accepted a
   * message has sent it even if the caller died before reading the answer.
   */
  const accept = async (
    c: Context,
    provider: Provider,
    idempotencyKey: string | null,
    body: Record<string, unknown>,
    respond: (messageId: string) => { status: number; body: unknown; text?: string },
  ) => {
    const dedupeKey = idempotencyKey ? `${provider}:${idempotencyKey}` : null;
    let response = dedupeKey ? state.byKey.get(dedupeKey) : undefined;
    if (!response) {
      const messageId = provider === 'twilio' ? nextId('SM', 32) : provider === 'slack' ? `${Math.floor(Date.now() / 1000)}.${(++state.seq).toString().padStart(6, '0')}` : nextId('teams-', 8);
      response = respond(messageId);
      state.requests.push({ provider, receivedAt: new Date().toISOString(), idempotencyKey, body, messageId });
      if (dedupeKey) state.byKey.set(dedupeKey, response);
    }
    await delay(provider);
    if (response.text !== undefined) return c.text(response.text, response.status as 200);
    return c.json(response.body, response.status as 200);
  };

  // ---------------------------------------------------------------------------------------
  // Twilio Programmable Messaging: POST /2010-04-01/Accounts/{AccountSid}/Messages.json,
  // form-encoded, HTTP basic auth AccountSid:AuthToken.
  const twilioError = (c: Context, status: number, code: number, message: string) =>
    c.json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, status as 400);

  /** Posts one signed status callback, form-encoded, the fields Twilio sends for messages. */
  const postCallback = async (url: string, fields: Record<string, string>) => {
    const record: StatusCallbackRecord = { url, fields, status: 0 };
    state.callbacks.push(record);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(config.twilio.authToken, url, fields), 'user-agent': 'TwilioProxy/1.1' },
        body: new URLSearchParams(fields).toString(),
        signal: AbortSignal.timeout(5_000),
      });
      record.status = res.status;
      await res.body?.cancel();
    } catch {
      record.status = 0;
    }
  };

  /**
   * After accepting a message with a StatusCallback, Twilio reports each change of its status:
   * here `sent`, then the final one (`delivered` unless a test queued another outcome). Fire and
   * forget, shortly after the answer, as Twilio does.
   */
  const reportStatus = (url: string, sid: string, to: string, from: string | null) => {
    const outcome = state.smsOutcomes.shift() ?? { status: 'delivered' as const, errorCode: null };
    const base = { AccountSid: config.twilio.accountSid, ApiVersion: '2010-04-01', MessageSid: sid, SmsSid: sid, To: to, ...(from ? { From: from } : {}) };
    setTimeout(() => {
      void (async () => {
        await postCallback(url, { ...base, MessageStatus: 'sent', SmsStatus: 'sent' });
        await postCallback(url, { ...base, MessageStatus: outcome.status, SmsStatus: outcome.status, ...(outcome.errorCode ? { ErrorCode: outcome.errorCode } : {}) });
      })();
    }, 100);
  };

  app.post('/2010-04-01/Accounts/:accountSid/Messages.json', async (c) => {
    const expected = `Basic ${Buffer.from(`${config.twilio.accountSid}:${config.twilio.authToken}`).toString('base64')}`;
    if (c.req.header('authorization') !== expected || c.req.param('accountSid') !== config.twilio.accountSid) {
      return twilioError(c, 401, 20003, 'Authenticate');
    }
    if (!/^application\/x-www-form-urlencoded/i.test(c.req.header('content-type') ?? '')) {
      return twilioError(c, 400, 20001, 'Request body must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(await c.req.text());
    const to = form.get('To');
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    const text = form.get('Body');
    if (!to || !E164.test(to)) return twilioError(c, 400, 21211, `The 'To' number ${to ?? ''} is not a valid phone number.`);
    if (!from && !service) return twilioError(c, 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.");
    if (from && !E164.test(from)) return twilioError(c, 400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
    if (service && !/^MG[0-9a-f]{32}$/.test(service)) return twilioError(c, 400, 21701, 'The Messaging Service Sid is invalid.');
    if (!text) return twilioError(c, 400, 21602, 'Message body is required.');
    if (text.length > 1600) return twilioError(c, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    const callback = form.get('StatusCallback');
    if (callback !== null && !/^https?:\/\/\S+$/.test(callback)) return twilioError(c, 400, 21609, 'The StatusCallback URL is not a valid URL.');
    if (takeFailure('twilio')) return twilioError(c, 500, 20500, 'An internal server error has occurred');
    const fields = Object.fromEntries(form.entries());
    return accept(c, 'twilio', c.req.header('i-twilio-idempotency-token') ?? null, fields, (sid) => {
      // Only a newly accepted message is reported on; a repeated request changes nothing.
      if (callback) reportStatus(callback, sid, to, from);
      return {
        status: 201,
        body: {
          sid,
          account_sid: config.twilio.accountSid,
          to,
          from: from ?? null,
          messaging_service_sid: service ?? null,
          body: text,
          status: 'queued',
          direction: 'outbound-api',
          num_segments: String(Math.ceil(text.length / 153)),
          date_created: new Date().toUTCString(),
          date_updated: new Date().toUTCString(),
          date_sent: null,
          error_code: null,
          error_message: null,
          price: null,
          price_unit: 'USD',
          api_version: '2010-04-01',
          uri: `/2010-04-01/Accounts/${config.twilio.accountSid}/Messages/${sid}.json`,
          subresource_uris: { media: `/2010-04-01/Accounts/${config.twilio.accountSid}/Messages/${sid}/Media.json` },
        },
      };
    });
  });

  // ---------------------------------------------------------------------------------------
  // Slack Web API chat.postMessage: POST https://slack.com/api/chat.postMessage, bearer token,
  // JSON (application/json) or form-encoded arguments (what @slack/web-api sends). Slack
  // answers HTTP 200 with { ok: false, error } for argument and auth errors.
  const slackError = (c: Context, error: string) => c.json({ ok: false, error }, 200);

  app.post('/slack/api/chat.postMessage', async (c) => {
    const type = c.req.header('content-type') ?? '';
    let args: Record<string, unknown>;
    if (/^application\/json/i.test(type)) {
      try {
        args = await c.req.json<Record<string, unknown>>();
      } catch {
        return slackError(c, 'invalid_json');
      }
      if (typeof args !== 'object' || args === null || Array.isArray(args)) return slackError(c, 'invalid_json');
    } else if (/^application\/x-www-form-urlencoded/i.test(type)) {
      args = Object.fromEntries(new URLSearchParams(await c.req.text()).entries());
      if (typeof args.blocks === 'string') {
        try {
          args.blocks = JSON.parse(args.blocks);
        } catch {
          return slackError(c, 'invalid_blocks_format');
        }
      }
    } else {
      return slackError(c, 'invalid_form_data');
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? (typeof args.token === 'string' ? args.token : undefined);
    if (!bearer) return slackError(c, 'not_authed');
    if (bearer !== config.slack.token) return slackError(c, 'invalid_auth');
    delete args.token;
    const channel = args.channel;
    if (typeof channel !== 'string' || channel === '') return slackError(c, 'channel_not_found');
    if (!/^(?:[CDGU][A-Z0-9]{2,}|#[a-z0-9][a-z0-9._-]*)$/.test(channel)) return slackError(c, 'channel_not_found');
    const hasText = typeof args.text === 'string' && args.text.trim() !== '';
    const blocks = args.blocks;
    if (blocks !== undefined && (!Array.isArray(blocks) || blocks.some((b) => typeof b !== 'object' || b === null || typeof (b as { type?: unknown }).type !== 'string'))) {
      return slackError(c, 'invalid_blocks');
    }
    if (!hasText && !(Array.isArray(blocks) && blocks.length > 0) && args.attachments === undefined) return slackError(c, 'no_text');
    if (takeFailure('slack')) return c.json({ ok: false, error: 'internal_error' }, 500);
    return accept(c, 'slack', c.req.header('x-idempotency-key') ?? null, args, (ts) => ({
      status: 200,
      body: { ok: true, channel, ts, message: { type: 'message', text: args.text ?? '', ts, bot_id: 'B0STUB0001' } },
    }));
  });

  // ---------------------------------------------------------------------------------------
  // Microsoft Teams incoming webhook: POST JSON, a message whose attachments carry an Adaptive
  // Card. Success answers 200 with body "1"; a malformed payload 400.
  const teamsError = (c: Context, status: number, text: string) => c.text(text, status as 400);
  const CardAttachment = z.object({
    contentType: z.literal('application/vnd.microsoft.card.adaptive'),
    contentUrl: z.string().nullable().optional(),
    content: z.looseObject({
      type: z.literal('AdaptiveCard'),
      version: z.string().regex(/^1\.[0-6]$/),
      body: z.array(z.looseObject({ type: z.string().min(1) })).min(1),
    }),
  });
  const TeamsMessage = z.looseObject({ type: z.literal('message'), attachments: z.array(CardAttachment).min(1) });

  app.post('/teams/webhook/:id', async (c) => {
    if (c.req.param('id') !== config.teams.webhookId) return teamsError(c, 404, 'Webhook not found');
    if (!/^application\/json/i.test(c.req.header('content-type') ?? '')) return teamsError(c, 415, 'Unsupported Media Type');
    let payload: unknown;
    try {
      payload = await c.req.json();
    } catch {
      return teamsError(c, 400, 'Bad payload received by generic incoming webhook.');
    }
    const parsed = TeamsMessage.safeParse(payload);
    if (!parsed.success) return teamsError(c, 400, 'Bad payload received by generic incoming webhook.');
    if (takeFailure('teams')) return teamsError(c, 502, 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 502');
    return accept(c, 'teams', c.req.header('x-idempotency-key') ?? null, parsed.data, () => ({ status: 200, body: null, text: '1' }));
  });

  // ---------------------------------------------------------------------------------------
  // Test knobs. Not part of any provider.
  app.get('/_stub/requests', (c) => {
    const provider = c.req.query('provider');
    return c.json({ requests: state.requests.filter((r) => !provider || r.provider === provider) });
  });
  app.post('/_stub/fail', async (c) => {
    const knob = KnobSchema.safeParse(await c.req.json().catch(() => null));
    if (!knob.success || knob.data.count === undefined) return c.json({ error: 'expected { provider, count }' }, 400);
    state.failures.set(knob.data.provider, knob.data.count);
    return c.json({ ok: true });
  });
  app.post('/_stub/delay', async (c) => {
    const knob = KnobSchema.safeParse(await c.req.json().catch(() => null));
    if (!knob.success || knob.data.ms === undefined) return c.json({ error: 'expected { provider, ms }' }, 400);
    state.delays.set(knob.data.provider, knob.data.ms);
    return c.json({ ok: true });
  });
  const OutcomeSchema = z.object({ status: z.enum(SMS_OUTCOMES), errorCode: z.string().regex(/^\d{5}$/).nullable().default(null), count: z.number().int().min(1).max(100).default(1) });
  app.get('/_stub/callbacks', (c) => c.json({ callbacks: state.callbacks }));
  app.post('/_stub/sms-outcome', async (c) => {
    const knob = OutcomeSchema.safeParse(await c.req.json().catch(() => null));
    if (!knob.success) return c.json({ error: 'expected { status: delivered|undelivered|failed, errorCode?: "30003", count? }' }, 400);
    for (let i = 0; i < knob.data.count; i++) state.smsOutcomes.push({ status: knob.data.status, errorCode: knob.data.errorCode });
    return c.json({ ok: true });
  });
  app.post('/_stub/reset', (c) => {
    state.requests.length = 0;
    state.callbacks.length = 0;
    state.smsOutcomes.length = 0;
    state.failures.clear();
    state.delays.clear();
    state.byKey.clear();
    return c.json({ ok: true });
  });
  app.get('/healthz', (c) => c.json({ status: 'ok', service: 'provider-stubs' }));

  return { app, state };
}
