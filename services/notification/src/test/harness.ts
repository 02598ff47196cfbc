import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NotifyCommand } from '@tierline/contracts';
import { connectNats, createLogger, createMetrics, createSql, createTokenVerifier, ensureStreams, listen, migrate, parseEnv, type NatsConnection, type Sql } from '@tierline/platform';
import { IdentityRecipientResolver } from '../recipients.js';
import { serviceAccountToken } from '@tierline/platform';
import { createVendorLinkMinter } from '../vendor-links.js';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { startProviderStubs, type RecordedRequest } from '@tierline/provider-stubs';
import { createNotificationApp } from '../app.js';
import { notificationEnvSchema, type NotificationEnv } from '../env.js';
import type { RecipientResolver } from '../recipients.js';
import type { Pipeline } from '../pipeline.js';
import { TWILIO_STATUS_PATH, type TwilioStatusDeps } from '../routes/webhooks_twilio_status.js';
import { startNotificationWorker } from '../service.js';
import { createTicketAccess } from '../ticket-access.js';
import type { VendorLinkMinter } from '../vendor-links.js';
import { startDirectory } from './directory.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Polls until `check` returns a value other than undefined, or fails naming what it waited for. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

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

/**
 * The service in this process against the real PostgreSQL, NATS, Mailpit, the provider stand-ins,
 * and the identity and ticket services (started in this process too, see directory.ts).
 * `resolver` and `mintVendorLink` wrap the real ones in tests that provoke their failures.
 */
export async function startNotification(
  label: string,
  opts: {
    env?: Record<string, string>;
    rateWindowMs?: number;
    resolver?: (real: RecipientResolver) => RecipientResolver;
    mintVendorLink?: (real: VendorLinkMinter) => VendorLinkMinter;
    /** Ask the SMS stand-in for status callbacks (SMS then move on to delivered / failed). */
    smsStatusCallbacks?: boolean;
  } = {},
) {
  const env0 = testEnv();
  const directory = await startDirectory(label);
  const logger = createLogger(`nt-${label}`, process.env.LOG_LEVEL ?? 'silent');
  const db = await createTestDatabase(`n${label}`);
  const sql = createSql(db.url, 'notification', 5);
  await migrate(sql, { schema: 'notification', dir: MIGRATIONS_DIR });
  const nc = await connectNats(env0.natsUrl, `nt-${label}`);
  await ensureStreams(nc);
  const cmds = await createCommandStream(nc, label);
  const stubs = await startProviderStubs(0);
  // The app listens before the worker starts, so the callback URL (with its port) can be configured.
  const verifyToken = createTokenVerifier({ issuer: env0.issuer, jwksUrl: env0.jwksUrl, audience: 'tierline-notification' });
  const ticketAccess = createTicketAccess({ ticketUrl: directory.env.TICKET_SERVICE_URL, timeoutMs: 3_000 });
  let pipeline: Pipeline | null = null;
  const twilioStatus: TwilioStatusDeps = {
    authToken: 'stub-auth-token',
    callbackUrl: '',
    onStatus: (sid, outcome) => (pipeline ? pipeline.providerStatus('sms', sid, outcome) : Promise.reject(new Error('the worker has not started'))),
  };
  const server = await listen(createNotificationApp({ sql, nc, logger, verifyToken, ticketAccess, ...(opts.smsStatusCallbacks ? { twilioStatus } : {}) }), 0);
  const baseUrl = `http://127.0.0.1:${server.port}`;
  twilioStatus.callbackUrl = `${baseUrl}${TWILIO_STATUS_PATH}`;
  const env = notificationTestEnv({
    DATABASE_URL: db.url,
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
  });
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
    requests: async (provider: string): Promise<RecordedRequest[]> =>
      ((await (await fetch(`${stubs.url}/_stub/requests?provider=${provider}`)).json()) as { requests: RecordedRequest[] }).requests,
    async stop() {
      sub.unsubscribe();
      await server.close();
      await worker.stop();
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.delete(cmds.stream, env.NOTIFY_DURABLE).catch(() => undefined);
      await cmds.drop();
      await stubs.close();
      await nc.drain();
      await sql.end();
      await db.drop();
      await directory.stop();
    },
  };
}

/** The resolver and minter main.ts would build from `env`, for tests that wrap them. */
export async function realCollaborators(env: NotificationEnv) {
  const token = serviceAccountToken({ tokenUrl: env.TOKEN_URL, clientId: env.NOTIFICATION_CLIENT_ID, clientSecret: env.NOTIFICATION_CLIENT_SECRET });
  return {
    resolver: new IdentityRecipientResolver({ identityUrl: env.IDENTITY_SERVICE_URL, ticketUrl: env.TICKET_SERVICE_URL, token, timeoutMs: 3_000 }),
    mintVendorLink: createVendorLinkMinter({ identityUrl: env.IDENTITY_SERVICE_URL, token, timeoutMs: 3_000 }),
  };
}

/** A ticket row in the ticket service's database, so its read rule (site, requester, vendor) applies. */
export async function insertTicket(sql: Sql, t: { id: string; number: string; siteId: string; priority?: string; tier?: number; vendorOrgId?: string | null }) {
  await sql`
    insert into tickets (id, number, title, category, site_id, requester_id, impact, urgency, priority, status, tier, workflow_id)
    values (${t.id}, ${t.number}, 'Test ticket', 'ehr', ${t.siteId}, 'someone-else', 'department', 'high', ${t.priority ?? 'P1'}, 'open', ${t.tier ?? 1}, ${`ticket-${t.id}`})`;
  if (t.vendorOrgId) await sql`update tickets set vendor_org_id = ${t.vendorOrgId} where id = ${t.id}`;
}
