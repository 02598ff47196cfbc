import { z } from 'zod';
import { baseEnvSchema, checkNatsCredentials, isDemoSecret, databaseUrl, httpUrl, natsPassword, natsUrl, natsUser, port, productionSecrets } from '@tierline/platform';
import { COMMANDS_STREAM, EVENTS_STREAM, NOTIFY_SUBJECT } from '@tierline/contracts';
import { inboundEnvShape } from './inbound/env.js';

const optionalUrl = httpUrl.optional().or(z.literal('').transform(() => undefined));

export const notificationEnvSchema = baseEnvSchema
  .extend({
    // Where the HTTP API listens.
    PORT: port.default(3003),
    HOST: z.string().default('127.0.0.1'),
    // The notification service's own database; schema "notification" is migrated at start-up.
    DATABASE_URL: databaseUrl,
    // JetStream carrying notification commands.
    NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
    // Who this process is to NATS, user "notification" in infra/nats/nats.conf: its permissions allow only its command consumer, notification events and dead letters.
    NATS_USER: natsUser,
    // That user's password: the local stack passes the dev secret "notification-dev-secret"; a deployment, its own.
    NATS_PASSWORD: natsPassword,
    // Stream, subject and durable of the commands; overridable so tests run on their own stream.
    NOTIFY_STREAM: z.string().min(1).default(COMMANDS_STREAM),
    NOTIFY_SUBJECT: z.string().min(1).default(NOTIFY_SUBJECT),
    NOTIFY_DURABLE: z.string().min(1).default('notification'),
    // Ticket events that become status updates to requesters and watchers (docs/decisions/0034):
    // stream, subject and durable, overridable so tests run on their own stream.
    UPDATE_EVENTS_STREAM: z.string().min(1).default(EVENTS_STREAM),
    UPDATE_EVENTS_SUBJECT: z.string().min(1).default('tierline.events.ticket.>'),
    UPDATE_EVENTS_DURABLE: z.string().min(1).default('notification-updates'),
    // Changes to one ticket within this many ms of the first go to each person as one update.
    UPDATE_COALESCE_MS: z.coerce.number().int().min(0).default(60_000),
    // An event older than this when read (a replay, a long outage) tells nobody; it still updates who follows the ticket.
    UPDATE_MAX_AGE_MS: z.coerce.number().int().min(1000).default(24 * 60 * 60_000),
    // Where commands that failed for good are copied before they are terminated.
    DEAD_LETTER_STREAM: z.string().min(1).default('TIERLINE_DEAD_LETTERS'),
    // JetStream deliveries of a command before its failing sends are given up (and alerted).
    NOTIFY_MAX_DELIVER: z.coerce.number().int().min(2).max(100).default(6),
    // Redelivery delays in ms between attempts, comma-separated.
    NOTIFY_BACKOFF_MS: z
      .string()
      .regex(/^\d+(,\d+)*$/)
      .default('2000,10000,30000,60000,120000')
      .transform((s) => s.split(',').map(Number)),
    // How long JetStream waits for an ack before redelivering (covers a crashed instance).
    NOTIFY_ACK_WAIT_MS: z.coerce.number().int().min(1000).default(30_000),
    // Per-provider request timeout; also the lease a send holds on its delivery row.
    SEND_TIMEOUT_MS: z.coerce.number().int().min(500).default(10_000),
    // Deferred deliveries (quiet hours, bundles, retries) are looked for this often.
    POLL_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
    // More than this many messages to one person on one channel within a minute are bundled.
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(5),
    // Links in messages point here.
    PORTAL_URL: httpUrl.default('http://localhost:3000'),
    // Outgoing mail server (Mailpit locally).
    SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be smtp:// or smtps://').default('smtp://127.0.0.1:1025'),
    MAIL_FROM: z.string().min(3).default('Tierline <tierline@tierline.test>'),
    // Mailpit's API; when set, a resend after a crash first asks it whether the Message-ID is
    // already there (local only; a production relay offers no such lookup).
    MAILPIT_URL: optionalUrl,
    // Twilio credentials and sender; TWILIO_API_BASE points the library at the local stand-in.
    TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/).default('AC00000000000000000000000000000000'),
    TWILIO_AUTH_TOKEN: z.string().min(1).default('stub-auth-token'),
    TWILIO_FROM: z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number').default('+15550109999'),
    TWILIO_API_BASE: optionalUrl,
    // Where Twilio reaches this service's POST /webhooks/twilio/status (public URL, exactly as
    // Twilio calls it: it is part of the signed data). Unset: no status callbacks; SMS stay `sent`.
    TWILIO_STATUS_CALLBACK_URL: optionalUrl.refine((u) => u === undefined || new URL(u).pathname === '/webhooks/twilio/status', 'must end in /webhooks/twilio/status'),
    // Slack bot token and Web API base (https://slack.com/api/ in production).
    SLACK_BOT_TOKEN: z.string().min(1).default('xoxb-stub-token'),
    SLACK_API_URL: httpUrl.default('http://127.0.0.1:3010/slack/api/'),
    // Teams incoming webhook (a Workflows/connector URL in production).
    TEAMS_WEBHOOK_URL: httpUrl.default('http://127.0.0.1:3010/teams/webhook/tierline-stub'),
    // The identity service: people, contacts and quiet hours (directory), vendors' signed links.
    IDENTITY_SERVICE_URL: httpUrl.default('http://127.0.0.1:3002'),
    // The ticket service: team members and on-call rotas; who may see a ticket's deliveries.
    TICKET_SERVICE_URL: httpUrl.default('http://127.0.0.1:3001'),
    // Keycloak: JWKS for incoming tokens, token endpoint for the service account.
    KEYCLOAK_URL: httpUrl.default('http://localhost:8180'),
    KEYCLOAK_REALM: z.string().min(1).default('tierline'),
    KEYCLOAK_ISSUER: httpUrl.optional(),
    TOKEN_AUDIENCE: z.string().min(1).default('tierline-notification'),
    NOTIFICATION_CLIENT_ID: z.string().min(1).default('tierline-notification'),
    NOTIFICATION_CLIENT_SECRET: z.string().min(1).default('tierline-notification-dev-secret'),
    // Mail in (src/inbound/, docs/decisions/0036): the SMTP listener the clinic's relay delivers to.
    ...inboundEnvShape,
  })
  .superRefine(checkNatsCredentials)
  // In production: no demo secret, none missing (decision 18). The stand-ins' tokens are demo values too.
  .superRefine(
    productionSecrets({
      required: ['NOTIFICATION_CLIENT_SECRET', 'TWILIO_AUTH_TOKEN', 'SLACK_BOT_TOKEN'],
      urls: ['DATABASE_URL', 'SMTP_URL'],
      nats: true,
    }),
  )
  // A list, so not in `required` above: no key of it may be a published demo secret (the default is one).
  .superRefine((e, ctx) => {
    if (e.NODE_ENV === 'production' && e.REPLY_TOKEN_KEYS.some(isDemoSecret)) {
      ctx.addIssue({ code: 'custom', path: ['REPLY_TOKEN_KEYS'], message: "a key (or the development default) is a published demo secret, refused in production: set this deployment's own" });
    }
  })
  .transform((e) => {
    const kc = `${e.KEYCLOAK_URL.replace(/\/$/, '')}/realms/${e.KEYCLOAK_REALM}`;
    return { ...e, KEYCLOAK_ISSUER: e.KEYCLOAK_ISSUER ?? kc, JWKS_URL: `${kc}/protocol/openid-connect/certs`, TOKEN_URL: `${kc}/protocol/openid-connect/token` };
  });
export type NotificationEnv = z.infer<typeof notificationEnvSchema>;
