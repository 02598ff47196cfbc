/**
 * The Tierline apps, started in this process on free ports against the real PostgreSQL, NATS
 * JetStream, Temporal and Keycloak that `npm test` (infra/stack.mjs) runs, for the tests that talk
 * to several of them at once (tests/browser, tests/fuzz): always the ticket service (with its live
 * stream) and the Temporal worker on a task queue of the run's own, and the notification
 * service's API; on request the identity service, the notifier, the audit service and the
 * portal. One database per run, each service and the worker logged in as their own
 * tierline_<service> (decision 21), the minute-scale test policy unless told otherwise, and
 * `stop()` stops everything that was started, last first.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { AUDIT_MIGRATIONS_DIR, createAuditApp, createAuditSql, createSigner, generateSigningKey, keyRing, startAuditConsumer } from '@tierline/audit';
import { DEFAULT_CATEGORIES, EVENTS_STREAM, EventEnvelopeSchema, NOTIFY_SUBJECT, NotifyCommandSchema, type EscalationPolicy } from '@tierline/contracts';
import { TEST_FAST_POLICY } from '@tierline/domain';
import {
  createIdentityApp,
  createKeycloakAdmin,
  createTicketServiceClient,
  IDENTITY_MIGRATIONS_DIR,
  loadVendorLinkKeys,
  serviceAccountTokens,
  startDirectorySync,
  type IdentityDeps,
} from '@tierline/identity';
import {
  createEmailSender,
  createNotificationApp,
  createPipeline,
  createPublicNoteReader,
  createRequesterLinkMinter,
  createUpdateRecorder,
  createSlackSender,
  createSmsSender,
  createTeamsSender,
  createTicketAccess,
  createVendorLinkMinter,
  IdentityRecipientResolver,
  NOTIFICATION_MIGRATIONS_DIR,
  notificationEnvSchema,
  replyToFor,
  startInbound,
} from '@tierline/notification';
import { connectNats, createLogger, createSql, createTokenVerifier, listen, migrate, ensureStreams, parseEnv, serviceAccountToken, type Logger, type NatsConnection, type Sql } from '@tierline/platform';
import { createPortalApp, PORTAL_PUBLIC_DIR, portalEnvSchema } from '@tierline/portal/server';
import { DEFAULT_STUB_CONFIG, startProviderStubs } from '@tierline/provider-stubs';
import { createTestDatabase, seedDemoContacts, serviceLogin, testEnv } from '@tierline/testing';
import { createObjectStore, createTicketApp, ensureInitialPolicy, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import { createTicketWorker, NativeConnection } from '@tierline/workflows/worker';
import { forwardProxy } from './forward-proxy.js';

/** The origin the browser uses for the portal: the one Keycloak's portal client redirects to. */
export const PORTAL_ORIGIN = 'http://localhost:3000';

/** Where a service this run does not start is: the portal answers for it as unavailable (502). */
const NOWHERE = 'http://127.0.0.1:9';

export interface StackOptions {
  /** The published policy the run starts on (default: the minute-scale TEST_FAST_POLICY). */
  policy?: EscalationPolicy;
  /**
   * The identity service: directory synced from Keycloak, signed vendor links opening on its own
   * address. `'with-contacts'` also seeds the demo people's contacts (what the notifier sends to).
   */
  identity?: boolean | 'with-contacts';
  /**
   * The notifier (needs `identity`): the real delivery pipeline (recipient resolver, vendor-link
   * minter, email to Mailpit, SMS and chat to the provider stand-ins) fed from a plain core-NATS
   * subscription to the notify commands. That subscription copies and takes nothing, so the
   * commands of other runs sharing the NATS server stay theirs; only the commands for this run's
   * tickets are handled here. Its mail carries the tickets' reply addresses, and mail in (the help
   * desk's SMTP listener, decision 36) listens on `inboundSmtpPort`; the provider stand-ins
   * (Twilio, Slack, Teams) answer on `stubsUrl`, whose `/_stub/requests` lists what was sent.
   */
  notifier?: boolean;
  /**
   * The notifier's window for coalescing status updates (decision 34's `UPDATE_COALESCE_MS`):
   * 2 s unless told; a browser journey sets a few hundred milliseconds so updates arrive at once.
   */
  updateCoalesceMs?: number;
  /**
   * The audit service's API; `'with-consumer'` also its event consumer (a durable of this run,
   * new events only), so the audit log has a real hash chain to list and verify.
   */
  audit?: boolean | 'with-consumer';
  /**
   * The portal server serving the built app, and a forward proxy for the browser (see
   * forwardProxy): the portal client in Keycloak accepts redirects to PORTAL_ORIGIN only, and two
   * runs must not fight over that port.
   */
  portal?: boolean;
  /**
   * Per-actor, per-minute limit of every rate-limited operation (ticket creation, policy publish,
   * user management, vendor-link pages and mints, audit export); the services' defaults when
   * absent. The fuzzer sets it far above what it sends, so the logic behind the limits is fuzzed
   * instead of answered 429.
   */
  rateLimitPerMinute?: number;
}

export async function startStack(label: string, opts: StackOptions = {}) {
  const env = testEnv();
  const logger = createLogger(label, process.env.LOG_LEVEL ?? 'silent');
  const publicDir = fileURLToPath(PORTAL_PUBLIC_DIR);
  if (opts.portal && !existsSync(join(publicDir, 'index.html'))) {
    throw new Error(`the portal app is not built (${publicDir} has no index.html): run \`npm run build -w @tierline/portal\``);
  }
  if (opts.notifier && !opts.identity) throw new Error('the notifier resolves recipients through the identity service: start it too');
  const limit = opts.rateLimitPerMinute;
  const verifier = (audience: string) => createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience });
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => logger.warn({ err }, 'stopping a test app failed'));
  };
  try {
    const db = await createTestDatabase(label);
    stops.push(() => db.drop());
    const ticketSql = createSql(await serviceLogin('ticket', db.url), 'ticket', 5);
    const workerSql = createSql(await serviceLogin('worker', db.url), 'ticket', 3);
    const notificationSql = createSql(await serviceLogin('notification', db.url), 'notification', 3);
    stops.push(() => ticketSql.end(), () => workerSql.end(), () => notificationSql.end());
    await migrate(ticketSql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
    await migrate(notificationSql, { schema: 'notification', dir: fileURLToPath(NOTIFICATION_MIGRATIONS_DIR) });
    await ensureInitialPolicy(ticketSql, opts.policy ?? TEST_FAST_POLICY, 'system:test');

    const nc = await connectNats(env.natsUrl, label);
    stops.push(() => nc.drain());
    await ensureStreams(nc);
    const js = jetstream(nc);

    const taskQueue = `${label}-${randomBytes(4).toString('hex')}`;
    const workerConnection = await NativeConnection.connect({ address: env.temporalAddress });
    stops.push(() => workerConnection.close());
    const worker = await createTicketWorker({ connection: workerConnection, namespace: env.temporalNamespace, taskQueue, deps: { sql: workerSql, js } });
    const workerRun = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await workerRun;
    });

    const connection = await Connection.connect({ address: env.temporalAddress });
    stops.push(() => connection.close());
    const temporal = new Client({ connection, namespace: env.temporalNamespace });
    // Attachments go to the test run's object store (versitygw).
    const objects = createObjectStore(env.objectStore);
    stops.push(async () => objects.close());
    const ticket = await listen(
      createTicketApp({
        sql: ticketSql,
        temporal,
        js,
        nc,
        taskQueue,
        verifyToken: verifier('tierline-ticket'),
        logger,
        categories: [...DEFAULT_CATEGORIES],
        objects,
        ...(limit ? { rateLimits: { ticketCreatePerMinute: limit, policyPublishPerMinute: limit } } : {}),
      }),
      0,
    );
    stops.push(() => ticket.close());
    const ticketUrl = `http://127.0.0.1:${ticket.port}`;

    const notification = await listen(
      createNotificationApp({ sql: notificationSql, nc, logger, verifyToken: verifier('tierline-notification'), ticketAccess: createTicketAccess({ ticketUrl }) }),
      0,
    );
    stops.push(() => notification.close());
    const notificationUrl = `http://127.0.0.1:${notification.port}`;

    const auditUrl = opts.audit ? await startAudit({ dbUrl: db.url, label, nc, logger, stops, consumer: opts.audit === 'with-consumer', limit }) : NOWHERE;
    let identityUrl = NOWHERE;
    let inboundSmtpPort: number | null = null;
    let stubsUrl = NOWHERE;
    if (opts.identity) {
      identityUrl = await startIdentity({ dbUrl: db.url, nc, ticketUrl, logger, stops, contacts: opts.identity === 'with-contacts', limit });
      if (opts.notifier) {
        const notifier = await startNotifier({ dbUrl: db.url, nc, ticketSql, ticketUrl, identityUrl, logger, stops, ...(opts.updateCoalesceMs !== undefined ? { updateCoalesceMs: opts.updateCoalesceMs } : {}) });
        inboundSmtpPort = notifier.inboundSmtpPort;
        stubsUrl = notifier.stubsUrl;
      }
    }

    let proxyUrl = '';
    if (opts.portal) {
      const portalEnv = parseEnv(portalEnvSchema, {
        LOG_LEVEL: 'silent',
        TICKET_SERVICE_URL: ticketUrl,
        NOTIFICATION_SERVICE_URL: notificationUrl,
        IDENTITY_SERVICE_URL: identityUrl,
        AUDIT_SERVICE_URL: auditUrl,
        KEYCLOAK_URL: env.keycloakUrl,
        KEYCLOAK_REALM: env.realm,
      });
      const portal = await listen(createPortalApp({ env: portalEnv, logger, publicDir }), 0);
      stops.push(() => portal.close());
      const proxy = await forwardProxy(new URL(PORTAL_ORIGIN).host, `127.0.0.1:${portal.port}`);
      stops.push(() => proxy.close());
      proxyUrl = proxy.url;
    }

    return { ticketUrl, ticketSql, notificationUrl, identityUrl, auditUrl, proxyUrl, taskQueue, inboundSmtpPort, stubsUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** What a part of the stack runs on: the database, NATS, the logger, and where its stops go (run last first by the caller). */
export interface Part {
  dbUrl: string;
  nc: NatsConnection;
  logger: Logger;
  stops: (() => Promise<unknown>)[];
}

/** The audit service's API (and its consumer); returns its address. */
async function startAudit(o: Part & { label: string; consumer: boolean; limit: number | undefined }): Promise<string> {
  const env = testEnv();
  const { nc, logger, stops } = o;
  // Migrated by the administrator (the tables then belong to tierline_audit_owner); the service
  // runs as its own login in the insert-only writer role, like the real one.
  const auditAdmin = createSql(o.dbUrl, 'audit', 1);
  await migrate(auditAdmin, { schema: 'audit', dir: fileURLToPath(AUDIT_MIGRATIONS_DIR) });
  await auditAdmin.end();
  const auditSql = createAuditSql(await serviceLogin('audit', o.dbUrl), { role: 'tierline_audit_writer', max: 3 });
  stops.push(() => auditSql.end());
  if (o.consumer) {
    const durable = `${o.label}-audit-${randomBytes(4).toString('hex')}`;
    const consumer = await startAuditConsumer({ nc, sql: auditSql, logger, durable, deliverNew: true });
    stops.push(async () => {
      await consumer.stop();
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.delete(EVENTS_STREAM, durable).catch(() => undefined);
    });
  }
  const signer = createSigner(generateSigningKey());
  const audit = await listen(
    createAuditApp({
      sql: auditSql,
      logger,
      signer,
      publicKeys: keyRing([signer.publicKey]),
      verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-audit' }),
      ...(o.limit ? { exportRateLimitPerMinute: o.limit } : {}),
    }),
    0,
  );
  stops.push(() => audit.close());
  return `http://127.0.0.1:${audit.port}`;
}

/** The identity app (see StackOptions.identity); returns its address. */
export async function startIdentity(o: Part & { ticketUrl: string; contacts: boolean; limit: number | undefined }): Promise<string> {
  const env = testEnv();
  const { nc, logger, stops } = o;
  const idSql = createSql(await serviceLogin('identity', o.dbUrl), 'identity', 3);
  stops.push(() => idSql.end());
  await migrate(idSql, { schema: 'identity', dir: fileURLToPath(IDENTITY_MIGRATIONS_DIR) });
  const credentials = { baseUrl: env.keycloakUrl, realm: env.realm, clientId: 'tierline-identity', clientSecret: 'tierline-identity-dev-secret' };
  const kc = createKeycloakAdmin(credentials);
  const sync = startDirectorySync({ sql: idSql, kc, logger, intervalMs: 0 });
  stops.push(async () => sync.stop());
  await sync.first;
  if (o.contacts) await seedDemoContacts(idSql);
  const deps: IdentityDeps = {
    sql: idSql,
    logger,
    kc,
    js: jetstream(nc),
    nc,
    directoryReaderClients: ['tierline-notification'],
    ...(o.limit ? { userAdminRateLimitPerMinute: o.limit } : {}),
    verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-identity' }),
    vendorLinks: {
      keys: await loadVendorLinkKeys({ sql: idSql }),
      // Set to the app's own address once it listens (handlers read it per request): the test
      // proxy lets the browser reach a loopback address as it is.
      baseUrl: 'http://127.0.0.1:1',
      ttlMs: 240 * 60_000,
      ticketService: createTicketServiceClient({ baseUrl: o.ticketUrl, token: serviceAccountTokens(credentials), logger, timeoutMs: 5_000 }),
      pageRateLimitPerMinute: o.limit ?? 1000,
      mintRateLimitPerMinute: o.limit ?? 1000,
    },
  };
  const identity = await listen(createIdentityApp(deps), 0);
  stops.push(() => identity.close());
  const identityUrl = `http://127.0.0.1:${identity.port}`;
  deps.vendorLinks.baseUrl = identityUrl;
  return identityUrl;
}

/**
 * The notifier (see StackOptions.notifier). `timeoutMs` bounds each call out (5 s), `rateLimit` is
 * the per-person limit (100), `leaseMs` a command's lease (10 s). Returns how many commands it
 * settled so far.
 */
export async function startNotifier(
  o: Part & { ticketSql: Sql; ticketUrl: string; identityUrl: string; timeoutMs?: number; rateLimit?: number; leaseMs?: number; updateCoalesceMs?: number },
): Promise<{ handled: () => number; inboundSmtpPort: number; stubsUrl: string }> {
  const timeoutMs = o.timeoutMs ?? 5_000;
  const env = testEnv();
  const { nc, logger, stops } = o;
  const notifierSql = createSql(await serviceLogin('notification', o.dbUrl), 'notification', 3);
  stops.push(() => notifierSql.end());
  const stubs = await startProviderStubs(0);
  stops.push(() => stubs.close());
  const token = serviceAccountToken({ tokenUrl: `${env.issuer}/protocol/openid-connect/token`, clientId: 'tierline-notification', clientSecret: 'tierline-notification-dev-secret', timeoutMs });
  // Mail in (decision 36) with the service's defaults: help@clinic.example, the development reply-token key.
  const notificationEnv = parseEnv(notificationEnvSchema, {
    LOG_LEVEL: 'silent',
    DATABASE_URL: await serviceLogin('notification', o.dbUrl),
    NATS_URL: env.natsUrl,
    SMTP_URL: env.smtpUrl,
    IDENTITY_SERVICE_URL: o.identityUrl,
    TICKET_SERVICE_URL: o.ticketUrl,
    PORTAL_URL: PORTAL_ORIGIN,
    SEND_TIMEOUT_MS: String(timeoutMs),
    POLL_INTERVAL_MS: '500',
    INBOUND_SMTP_PORT: '0',
    INBOUND_RETRY_MS: '500,1000,2000',
  });
  const email = createEmailSender({ smtpUrl: env.smtpUrl, from: notificationEnv.MAIL_FROM, mailpitUrl: env.mailpitUrl, timeoutMs, replyTo: replyToFor(notificationEnv) });
  stops.push(async () => email.close());
  const inbound = await startInbound({ env: notificationEnv, sql: notifierSql, logger, token });
  stops.push(() => inbound.stop());
  const pipeline = createPipeline({
    sql: notifierSql,
    js: jetstream(nc),
    resolver: new IdentityRecipientResolver({ identityUrl: o.identityUrl, ticketUrl: o.ticketUrl, token, timeoutMs, logger }),
    mintVendorLink: createVendorLinkMinter({ identityUrl: o.identityUrl, token, timeoutMs }),
    mintRequesterLinks: createRequesterLinkMinter({ identityUrl: o.identityUrl, token, timeoutMs }),
    readPublicNote: createPublicNoteReader({ ticketUrl: o.ticketUrl, token, timeoutMs }),
    senders: {
      email,
      // The stand-ins' own credentials: they refuse any others, as Twilio and Slack do.
      sms: createSmsSender({ ...DEFAULT_STUB_CONFIG.twilio, from: '+15550100999', apiBase: stubs.url, timeoutMs }),
      slack: createSlackSender({ token: DEFAULT_STUB_CONFIG.slack.token, apiUrl: `${stubs.url}/slack/api/`, timeoutMs }),
      teams: createTeamsSender({ webhookUrl: `${stubs.url}/teams/webhook/${DEFAULT_STUB_CONFIG.teams.webhookId}`, timeoutMs }),
    },
    logger,
    portalUrl: PORTAL_ORIGIN,
    rateLimit: o.rateLimit ?? 100,
    leaseMs: o.leaseMs ?? 10_000,
    maxAttempts: 3,
    retryDelaysMs: [1_000, 2_000],
  });

  // Copies of the notify commands (a core subscription takes nothing from the stream's consumers).
  // A command is for this run if its ticket is in this run's database; it is tried a few times,
  // as a redelivery would, the last attempt giving failing sends up.
  let handling: Promise<void> = Promise.resolve();
  let handled = 0;
  const handle = async (raw: unknown) => {
    const parsed = NotifyCommandSchema.safeParse(raw);
    if (!parsed.success) return;
    const cmd = parsed.data;
    const [mine] = await o.ticketSql<{ id: string }[]>`select id from tickets where id = ${cmd.ticketId}`.catch(() => []);
    if (!mine) return;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await pipeline.handleCommand(cmd, { isLast: attempt === 3 });
        handled++;
        return;
      } catch (err) {
        logger.warn({ err, attempt }, 'notify command not settled yet');
        await new Promise((r) => setTimeout(r, 1_000 * attempt));
      }
    }
  };
  const sub = nc.subscribe(NOTIFY_SUBJECT, {
    callback: (err, msg) => {
      if (err) return;
      let raw: unknown;
      try {
        raw = msg.json();
      } catch {
        return;
      }
      handling = handling.then(() => handle(raw)).catch((e: unknown) => logger.warn({ err: e }, 'notify command failed'));
    },
  });
  stops.push(async () => {
    sub.unsubscribe();
    await handling;
  });

  // Status updates to requesters and watchers (decision 34): this run's ticket events, copied by
  // a core subscription and recorded as the service's consumer records them, and the poller's share.
  const record = createUpdateRecorder({ sql: notifierSql, logger, coalesceMs: o.updateCoalesceMs ?? 2_000, maxAgeMs: 3_600_000 });
  let recording: Promise<unknown> = Promise.resolve();
  const events = nc.subscribe('tierline.events.ticket.>', {
    callback: (err, msg) => {
      if (err) return;
      let parsed;
      try {
        parsed = EventEnvelopeSchema.safeParse(msg.json());
      } catch {
        return;
      }
      if (!parsed.success || !parsed.data.ticketId) return;
      const e = parsed.data;
      recording = recording
        .then(async () => {
          const [mine] = await o.ticketSql<{ id: string }[]>`select id from tickets where id = ${e.ticketId!}`.catch(() => []);
          if (mine) await record(e);
        })
        .catch((x: unknown) => logger.warn({ err: x }, 'ticket event not recorded for updates'));
    },
  });
  let polling: Promise<unknown> = Promise.resolve();
  const poller = setInterval(() => {
    polling = polling.then(() => pipeline.pollUpdates()).catch((x: unknown) => logger.warn({ err: x }, 'poll of status updates failed'));
  }, 500);
  stops.push(async () => {
    events.unsubscribe();
    clearInterval(poller);
    await recording;
    await polling;
  });
  return { handled: () => handled, inboundSmtpPort: inbound.port, stubsUrl: stubs.url };
}
