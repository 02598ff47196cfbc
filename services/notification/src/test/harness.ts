import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { EventEnvelope, NotifyCommand } from '@tierline/contracts';
import { createLogger, createMetrics, createTokenVerifier, ensureStreams, parseEnv, type NatsConnection, type Sql } from '@tierline/platform';
import { IdentityRecipientResolver } from '../recipients.js';
import { serviceAccountToken } from '@tierline/platform';
import { createVendorLinkMinter } from '../vendor-links.js';
import { testEnv } from '@tierline/testing';
import { eventually as poll, migratedDatabase, natsWithStreams, serveApp, type FixtureHooks, type MigratedDatabase, type NatsStreams } from '@tierline/test-fixtures';
import { test } from 'vitest';
import { startProviderStubs, type RecordedRequest } from '@tierline/provider-stubs';
import { createNotificationApp } from '../app.js';
import { notificationEnvSchema, type NotificationEnv } from '../env.js';
import type { RecipientResolver } from '../recipients.js';
import type { Pipeline } from '../pipeline.js';
import { TWILIO_STATUS_PATH, type TwilioStatusDeps } from '../routes/webhooks_twilio_status.js';
import { startNotificationWorker } from '../service.js';
import { createTicketAccess } from '../ticket-access.js';
import type { VendorLinkMinter } from '../vendor-links.js';
import { createRequesterLinkMinter, type RequesterLinkMinter } from '../requester-links.js';
import { startDirectory } from './directory.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/** The fixtures' `eventually`, waiting 20 s by default. */
export const eventually = <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => poll(what, check, timeoutMs);

export interface MailpitMessage {
  ID: string;
  MessageID: string;
  Subject: string;
  To: { Address: string }[];
  Snippet: string;
}

export async function mailpitSearch(query: string): Promise<MailpitMessage[]> {
  const res = await fetch(`${testEnv().mailpitUrl}/api/v1/search?${new URLSearchParams({ query, limit: '200' }).toString()}`);
  if (!res.ok) throw new Error(`mailpit search answered ${res.status}`);
  return ((await res.json()) as { messages: MailpitMessage[] }).messages;
}

export async function mailpitBody(id: string): Promise<{ Text: string; HTML: string; Subject: string }> {
  const res = await fetch(`${testEnv().mailpitUrl}/api/v1/message/${id}`);
  if (!res.ok) throw new Error(`mailpit message answered ${res.status}`);
  return (await res.json()) as { Text: string; HTML: string; Subject: string };
}

/**
 * A private stream and subject per test file, so tests neither steal the real service's commands
 * (TIERLINE_COMMANDS is a work queue: one consumer per subject) nor see each other's.
 */
export async function createCommandStream(nc: NatsConnection, label: string) {
  const suffix = randomBytes(4).toString('hex');
  const stream = `NTEST_${label.toUpperCase()}_${suffix}`;
  const subject = `tierline-test.${suffix}.notify`;
  await ensureStreams(nc, [{ name: stream, subjects: [subject], storage: StorageType.File, retention: RetentionPolicy.Workqueue }]);
  return {
    stream,
    subject,
    suffix,
    drop: async () => {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(stream).catch(() => undefined);
    },
  };
}

export function escalationCommand(overrides: Partial<NotifyCommand> = {}): NotifyCommand & { description?: string } {
  const n = Math.floor(Math.random() * 1e8);
  return {
    idempotencyKey: `test:${randomUUID()}`,
    template: 'escalation',
    ticketId: randomUUID(),
    ticketNumber: `IT-T${n}`,
    priority: 'P1',
    siteId: 'north-clinic',
    tier: 2,
    level: 1,
    targets: [{ kind: 'it_lead' }],
    channels: ['email', 'sms', 'slack', 'teams'],
    deadlineAt: '2026-11-27T18:00:00.000Z',
    deadlineKind: 'response target',
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

export function notificationTestEnv(overrides: Record<string, string>): NotificationEnv {
  return parseEnv(notificationEnvSchema, { DATABASE_URL: testEnv().databaseUrl, NATS_URL: testEnv().natsUrl, SMTP_URL: testEnv().smtpUrl, MAILPIT_URL: testEnv().mailpitUrl, LOG_LEVEL: 'silent', ...overrides });
}

export interface NotificationOptions {
  env?: Record<string, string>;
  rateWindowMs?: number;
  resolver?: (real: RecipientResolver) => RecipientResolver;
  mintVendorLink?: (real: VendorLinkMinter) => VendorLinkMinter;
  mintRequesterLinks?: (real: RequesterLinkMinter) => RequesterLinkMinter;
  /** Ask the SMS stand-in for status callbacks (SMS then move on to delivered / failed). */
  smsStatusCallbacks?: boolean;
  /** Run the ticket workflow behind the in-process ticket service (directory.ts). */
  directory?: { workflows?: boolean };
}

/**
 * vitest fixtures (test.extend) for the notification service's tests, one set per test file:
 * `database` (the service's migrations, as the administrator), `nats` (the streams) and
 * `notification`, the service started on them by `startNotification`; torn down after the file.
 */
export function notificationTest(label: string, opts: NotificationOptions = {}) {
  return test
    .extend('database', { scope: 'file' }, migratedDatabase({ label: `n${label}`, schema: 'notification', migrations: MIGRATIONS_DIR, max: 5 }))
    .extend('nats', { scope: 'file' }, natsWithStreams(`nt-${label}`))
    .extend('notification', { scope: 'file' }, async ({ database, nats }, hooks) => startNotification(label, { database, nats }, hooks, opts));
}

/**
 * The service in this process against the real PostgreSQL, NATS, Mailpit, the provider stand-ins,
 * and the identity and ticket services (started in this process too, see directory.ts), on the
 * fixtures' database and NATS; what it starts stops in the fixture's cleanup.
 * `resolver` and `mintVendorLink` wrap the real ones in tests that provoke their failures.
 */
export async function startNotification(label: string, { database, nats }: { database: MigratedDatabase; nats: NatsStreams }, { onCleanup }: FixtureHooks, opts: NotificationOptions = {}) {
  const { sql } = database;
  const { nc } = nats;
  // vitest takes one cleanup per fixture: everything started here, last first.
  const cleanups: (() => unknown)[] = [];
  onCleanup(async () => {
    for (const cleanup of cleanups) await cleanup();
  });
  const env0 = testEnv();
  const directory = await startDirectory(label, opts.directory);
  cleanups.unshift(() => directory.stop());
  const logger = createLogger(`nt-${label}`, process.env.LOG_LEVEL ?? 'silent');
  const cmds = await createCommandStream(nc, label);
  cleanups.unshift(() => cmds.drop());
  // Ticket events on a private stream too, so other files' events do not reach this file's requesters.
  const eventsStream = `NTEST_EV_${label.toUpperCase()}_${cmds.suffix}`;
  const eventsPrefix = `tierline-test.${cmds.suffix}.events`;
  await ensureStreams(nc, [{ name: eventsStream, subjects: [`${eventsPrefix}.>`], storage: StorageType.File, retention: RetentionPolicy.Limits }]);
  cleanups.unshift(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(eventsStream).catch(() => undefined);
  });
  const stubs = await startProviderStubs(0);
  cleanups.unshift(() => stubs.close());
  // The app listens before the worker starts, so the callback URL (with its port) can be configured.
  const verifyToken = createTokenVerifier({ issuer: env0.issuer, jwksUrl: env0.jwksUrl, audience: 'tierline-notification' });
  const ticketAccess = createTicketAccess({ ticketUrl: directory.env.TICKET_SERVICE_URL, timeoutMs: 3_000 });
  let pipeline: Pipeline | null = null;
  const twilioStatus: TwilioStatusDeps = {
    authToken: 'stub-auth-token',
    callbackUrl: '',
    onStatus: (sid, outcome) => (pipeline ? pipeline.providerStatus('sms', sid, outcome) : Promise.reject(new Error('the worker has not started'))),
  };
  // Stopped after the worker (pushed before it, it runs after it).
  const { baseUrl } = await serveApp(createNotificationApp({ sql, nc, logger, verifyToken, ticketAccess, ...(opts.smsStatusCallbacks ? { twilioStatus } : {}) }), {
    onCleanup: (fn) => cleanups.unshift(fn),
  });
  twilioStatus.callbackUrl = `${baseUrl}${TWILIO_STATUS_PATH}`;
  const env = notificationTestEnv({
    DATABASE_URL: database.url,
    NOTIFY_STREAM: cmds.stream,
    NOTIFY_SUBJECT: cmds.subject,
    NOTIFY_DURABLE: `nt-${label}-${cmds.suffix}`,
    NOTIFY_BACKOFF_MS: '200,400,800',
    NOTIFY_MAX_DELIVER: '4',
    NOTIFY_ACK_WAIT_MS: '10000',
    SEND_TIMEOUT_MS: '3000',
    POLL_INTERVAL_MS: '300',
    TWILIO_API_BASE: stubs.url,
    SLACK_API_URL: `${stubs.url}/slack/api/`,
    TEAMS_WEBHOOK_URL: `${stubs.url}/teams/webhook/tierline-stub`,
    PORTAL_URL: 'http://portal.test',
    UPDATE_EVENTS_STREAM: eventsStream,
    UPDATE_EVENTS_SUBJECT: `${eventsPrefix}.ticket.>`,
    UPDATE_EVENTS_DURABLE: `nt-up-${label}-${cmds.suffix}`,
    UPDATE_COALESCE_MS: '1500',
    ...(opts.smsStatusCallbacks ? { TWILIO_STATUS_CALLBACK_URL: twilioStatus.callbackUrl } : {}),
    ...directory.env,
    ...opts.env,
  });
  const events: { type: string; ticketId?: string; data: Record<string, unknown> }[] = [];
  const sub = nc.subscribe('tierline.events.notification.>', {
    callback: (_err, m) => {
      events.push(m.json());
    },
  });
  cleanups.unshift(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete(cmds.stream, env.NOTIFY_DURABLE).catch(() => undefined);
  });
  const real = await realCollaborators(env);
  const metrics = createMetrics('notification', { defaultMetrics: false });
  const worker = await startNotificationWorker({
    env,
    sql,
    nc,
    logger,
    metrics,
    ...(opts.rateWindowMs ? { rateWindowMs: opts.rateWindowMs } : {}),
    ...(opts.resolver ? { resolver: opts.resolver(real.resolver) } : {}),
    ...(opts.mintVendorLink ? { mintVendorLink: opts.mintVendorLink(real.mintVendorLink) } : {}),
    ...(opts.mintRequesterLinks ? { mintRequesterLinks: opts.mintRequesterLinks(real.mintRequesterLinks) } : {}),
  });
  cleanups.unshift(() => worker.stop());
  cleanups.unshift(() => sub.unsubscribe());
  pipeline = worker.pipeline;
  const js = jetstream(nc);
  return {
    env,
    nc,
    metrics,
    sql,
    stubs,
    events,
    worker,
    directory,
    baseUrl,
    /** Publishes like the workflow does; `msgId` overrides Nats-Msg-Id to get past the server's dedupe. */
    publish: async (cmd: object & { idempotencyKey: string }, msgId = cmd.idempotencyKey) => {
      await js.publish(cmds.subject, JSON.stringify(cmd), { msgID: msgId });
    },
    /**
     * Publishes a ticket event as the workflow's activities do (envelope, Nats-Msg-Id = event id),
     * on this file's private event stream; returns the event. `id` repeats an event.
     */
    publishTicketEvent: async (e: { type: string; ticketId: string; data: Record<string, unknown>; actor?: EventEnvelope['actor']; id?: string; occurredAt?: string }, msgId?: string) => {
      const event: EventEnvelope = {
        id: e.id ?? randomUUID(),
        type: e.type,
        occurredAt: e.occurredAt ?? new Date().toISOString(),
        actor: e.actor ?? { kind: 'system', id: 'workflow' },
        ticketId: e.ticketId,
        data: e.data,
        schemaVersion: 1,
      };
      await js.publish(`${eventsPrefix}.${e.type}`, JSON.stringify(event), { msgID: msgId ?? event.id });
      return event;
    },
    requests: async (provider: string): Promise<RecordedRequest[]> =>
      ((await (await fetch(`${stubs.url}/_stub/requests?provider=${provider}`)).json()) as { requests: RecordedRequest[] }).requests,
  };
}

/** The resolver and minter main.ts would build from `env`, for tests that wrap them. */
export async function realCollaborators(env: NotificationEnv) {
  const token = serviceAccountToken({ tokenUrl: env.TOKEN_URL, clientId: env.NOTIFICATION_CLIENT_ID, clientSecret: env.NOTIFICATION_CLIENT_SECRET });
  return {
    resolver: new IdentityRecipientResolver({ identityUrl: env.IDENTITY_SERVICE_URL, ticketUrl: env.TICKET_SERVICE_URL, token, timeoutMs: 3_000 }),
    mintVendorLink: createVendorLinkMinter({ identityUrl: env.IDENTITY_SERVICE_URL, token, timeoutMs: 3_000 }),
    mintRequesterLinks: createRequesterLinkMinter({ identityUrl: env.IDENTITY_SERVICE_URL, token, timeoutMs: 3_000 }),
  };
}

/** A ticket row in the ticket service's database, so its read rule (site, requester, vendor) applies. */
export async function insertTicket(sql: Sql, t: { id: string; number: string; siteId: string; priority?: string; tier?: number; vendorOrgId?: string | null }) {
  await sql`
    insert into tickets (id, number, title, category, site_id, requester_id, impact, urgency, priority, status, tier, workflow_id)
    values (${t.id}, ${t.number}, 'Test ticket', 'ehr', ${t.siteId}, 'someone-else', 'department', 'high', ${t.priority ?? 'P1'}, 'open', ${t.tier ?? 1}, ${`ticket-${t.id}`})`;
  if (t.vendorOrgId) await sql`update tickets set vendor_org_id = ${t.vendorOrgId} where id = ${t.id}`;
}

export type Notification = Awaited<ReturnType<typeof startNotification>>;
