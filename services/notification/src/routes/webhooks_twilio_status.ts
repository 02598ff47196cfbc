import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import twilio from 'twilio';
import { AppError, errorResponse } from '@tierline/platform';
import type { NotificationEnvBindings } from '../app.js';

export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';

/** What this service needs to take Twilio's status callbacks. */
export interface TwilioStatusDeps {
  /** The account's auth token: Twilio signs callbacks with it. */
  authToken: string;
  /** The callback URL exactly as given to Twilio (TWILIO_STATUS_CALLBACK_URL); part of the signed data. */
  callbackUrl: string;
  /** Moves the message's deliveries on (pipeline.providerStatus); returns how many changed. */
  onStatus: (messageSid: string, outcome: { status: 'delivered' } | { status: 'failed'; error: string }) => Promise<number>;
}

const CallbackSchema = z
  .object({
    MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'a Twilio message sid (SM…)'),
    MessageStatus: z.string().min(1).max(32),
    ErrorCode: z.string().regex(/^\d{1,6}$/).optional(),
  })
  .openapi('TwilioStatusCallback');

export const twilioStatusRoute = createRoute({
  method: 'post',
  path: TWILIO_STATUS_PATH,
  tags: ['Provider callbacks'],
  summary: "Twilio's message status callback (public; signed by Twilio)",
  description:
    'Twilio POSTs each status change of an SMS sent with this URL as StatusCallback. The X-Twilio-Signature header ' +
    "(HMAC-SHA1 of the URL and the sorted form fields, keyed with the account's auth token) is verified with the twilio " +
    'library before anything is read. `delivered` marks the deliveries delivered; `undelivered` and `failed` fail them ' +
    'and alert an IT lead on another channel. Other statuses are acknowledged and ignored.',
  request: { body: { content: { 'application/x-www-form-urlencoded': { schema: CallbackSchema } } } },
  responses: {
    200: { description: 'Taken (or ignored)', content: { 'application/json': { schema: z.object({ updated: z.number().int() }) } } },
    ...errorResponse(400, 'A field is missing or malformed'),
    ...errorResponse(403, 'Missing or wrong X-Twilio-Signature'),
  },
});

export function registerTwilioStatusCallback(app: OpenAPIHono<NotificationEnvBindings>, deps: TwilioStatusDeps) {
  app.openAPIRegistry.registerPath(twilioStatusRoute);
  // A plain route: the signature covers the raw form, so it is checked before any validation.
  app.post(TWILIO_STATUS_PATH, async (c) => {
    const fields = Object.fromEntries(new URLSearchParams(await c.req.text()).entries());
    const signature = c.req.header('x-twilio-signature');
    if (!signature || !twilio.validateRequest(deps.authToken, signature, deps.callbackUrl, fields)) {
      throw new AppError('FORBIDDEN', 'missing or invalid X-Twilio-Signature');
    }
    const parsed = CallbackSchema.safeParse(fields);
    if (!parsed.success) {
      throw new AppError('BAD_REQUEST', 'not a Twilio message status callback', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    }
    const { MessageSid, MessageStatus, ErrorCode } = parsed.data;
    let updated = 0;
    if (MessageStatus === 'delivered') updated = await deps.onStatus(MessageSid, { status: 'delivered' });
    else if (MessageStatus === 'undelivered' || MessageStatus === 'failed') {
      updated = await deps.onStatus(MessageSid, { status: 'failed', error: `twilio reported ${MessageStatus}${ErrorCode ? ` (error ${ErrorCode})` : ''}` });
    }
    return c.json({ updated }, 200);
  });
}
