/**
 * The Tierline apps a browser test talks to, started in this process on free ports against the
 * real PostgreSQL, NATS JetStream, Temporal and Keycloak that `npm test` (infra/stack.mjs) runs:
 * the ticket service (with its live stream), the Temporal worker on a task queue of its own, the
 * notification service's API, and the portal server serving the built app. Each run has its own
 * database, starts on the minute-scale test policy, and stops everything it started.
 *
 * The portal client in Keycloak accepts redirects to http://localhost:3000 only, and two test runs
 * must not fight over that port. So the browser is given a proxy (forwardProxy below): it asks for
 * http://localhost:3000, which the proxy sends to this run's portal; Keycloak's own address goes
 * through unchanged, and anything that is not on this machine is refused.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { AUDIT_MIGRATIONS_DIR, createAuditApp, createAuditSql, createSigner, generateSigningKey, keyRing, startAuditConsumer } from '@tierline/audit';
import { DEFAULT_CATEGORIES, EVENTS_STREAM, type EscalationPolicy } from '@tierline/contracts';
import { connectNats, createLogger, createSql, createTokenVerifier, ensureStreams, listen, migrate, parseEnv, serviceAccountToken } from '@tierline/platform';
import { createTestDatabase, seedDemoContacts, serviceLogin, testEnv } from '@tierline/testing';
import { createTicketApp, ensureInitialPolicy, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import {
  createEmailSender,
  createNotificationApp,
  createPipeline,
  createSlackSender,
  createSmsSender,
  createTeamsSender,
  createTicketAccess,
  createVendorLinkMinter,
  IdentityRecipientResolver,
  NOTIFICATION_MIGRATIONS_DIR,
} from '@tierline/notification';
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
import { startProviderStubs } from '@tierline/provider-stubs';
import { NOTIFY_SUBJECT, NotifyCommandSchema } from '@tierline/contracts';
import { createPortalApp, PORTAL_PUBLIC_DIR, portalEnvSchema } from '@tierline/portal/server';
import { TEST_FAST_POLICY } from '@tierline/domain';
import { createTicketWorker, NativeConnection } from '@tierline/workflows/worker';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The origin the browser uses for the portal: the one Keycloak's portal client redirects to. */
export const PORTAL_ORIGIN = 'http://localhost:3000';

/**
 * `vendorEmail: true` also starts the identity service (directory synced from Keycloak, the demo
 * people's contacts, signed vendor links opening on its own address) and a notifier: the real
 * delivery pipeline (recipient resolver, vendor-link minter, email to Mailpit, SMS and chat to the
 * provider stand-ins) fed from a plain core-NATS subscription to the notify commands. That
 * subscription copies and takes nothing, so the commands of other runs sharing the NATS server
 * stay theirs; only the commands for this run's tickets are handled here.
 *
 * `audit: true` also starts the audit service's API and its event consumer (a durable of this run,
 * new events only), so the audit log page has a real hash chain to list and verify.
 */
export async function startStack(label: string, opts: { policy?: EscalationPolicy; audit?: boolean; vendorEmail?: boolean } = {}) {
  const env = testEnv();
  const logger = createLogger(`browser-${label}`, process.env.LOG_LEVEL ?? 'silent');
  const publicDir = fileURLToPath(PORTAL_PUBLIC_DIR);
  if (!existsSync(join(publicDir, 'index.html'))) {
    throw new Error(`the portal app is not built (${publicDir} has no index.html): run \`npm run build -w @tierline/portal\``);
  }
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => logger.warn({ err }, 'stopping a test app failed'));
  };
  try {
    const db = await createTestDatabase(`browser-${label}`);
    stops.push(() => db.drop());
    // Each service and the worker log in as their own tierline_<service>, as everywhere (decision 21).
    const ticketSql = createSql(await serviceLogin('ticket', db.url), 'ticket', 5);
    const workerSql = createSql(await serviceLogin('worker', db.url), 'ticket', 3);
    const notificationSql = createSql(await serviceLogin('notification', db.url), 'notification', 3);
    stops.push(() => ticketSql.end(), () => workerSql.end(), () => notificationSql.end());
    await migrate(ticketSql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
    await migrate(notificationSql, { schema: 'notification', dir: fileURLToPath(NOTIFICATION_MIGRATIONS_DIR) });
    // Minute-scale clocks, so what the pages show moves within a test.
    await ensureInitialPolicy(ticketSql, opts.policy ?? TEST_FAST_POLICY, 'system:test');

    const nc = await connectNats(env.natsUrl, `browser-${label}`);
    stops.push(() => nc.drain());
    await ensureStreams(nc);
    const js = jetstream(nc);

    const taskQueue = `browser-${label}-${randomBytes(4).toString('hex')}`;
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
    const ticket = await listen(
      createTicketApp({
        sql: ticketSql,
        temporal,
        js,
        nc,
        taskQueue,
        verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-ticket' }),
        logger,
        categories: [...DEFAULT_CATEGORIES],
      }),
      0,
    );
    stops.push(() => ticket.close());
    const ticketUrl = `http://127.0.0.1:${ticket.port}`;

    const notification = await listen(
      createNotificationApp({
        sql: notificationSql,
        nc,
        logger,
        verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-notification' }),
        ticketAccess: createTicketAccess({ ticketUrl }),
      }),
      0,
    );
    stops.push(() => notification.close());

    // Services this run does not start answer as "unavailable" through the portal (502).
    const nowhere = 'http://127.0.0.1:9';
    let auditUrl = nowhere;
    if (opts.audit) {
      const auditAdmin = createSql(db.url, 'audit', 1);
      await migrate(auditAdmin, { schema: 'audit', dir: fileURLToPath(AUDIT_MIGRATIONS_DIR) });
      await auditAdmin.end();
      // The service's own login, as the insert-only writer role, like the real one.
      const auditSql = createAuditSql(await serviceLogin('audit', db.url), { role: 'tierline_audit_writer', max: 3 });
      stops.push(() => auditSql.end());
      const durable = `browser-audit-${label}-${randomBytes(4).toString('hex')}`;
      const consumer = await startAuditConsumer({ nc, sql: auditSql, logger, durable, deliverNew: true });
      stops.push(async () => {
        await consumer.stop();
        const jsm = await jetstreamManager(nc);
        await jsm.consumers.delete(EVENTS_STREAM, durable).catch(() => undefined);
      });
      const signer = createSigner(generateSigningKey());
      const audit = await listen(
        createAuditApp({
          sql: auditSql,
          logger,
          signer,
          publicKeys: keyRing([signer.publicKey]),
          verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-audit' }),
        }),
        0,
      );
      stops.push(() => audit.close());
      auditUrl = `http://127.0.0.1:${audit.port}`;
    }
    let identityUrl = nowhere;
    if (opts.vendorEmail) identityUrl = await startVendorEmail({ dbUrl: db.url, label, nc, ticketSql, ticketUrl, logger, stops });
    const portalEnv = parseEnv(portalEnvSchema, {
      LOG_LEVEL: 'silent',
      TICKET_SERVICE_URL: ticketUrl,
      NOTIFICATION_SERVICE_URL: `http://127.0.0.1:${notification.port}`,
      IDENTITY_SERVICE_URL: identityUrl,
      AUDIT_SERVICE_URL: auditUrl,
      KEYCLOAK_URL: env.keycloakUrl,
      KEYCLOAK_REALM: env.realm,
    });
    const portal = await listen(createPortalApp({ env: portalEnv, logger, publicDir }), 0);
    stops.push(() => portal.close());

    const proxy = await forwardProxy(new URL(PORTAL_ORIGIN).host, `127.0.0.1:${portal.port}`);
    stops.push(() => proxy.close());

    return { ticketUrl, ticketSql, identityUrl, proxyUrl: proxy.url, taskQueue, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export type Stack = Awaited<ReturnType<typeof startStack>>;


/** The identity app and the notifier of `vendorEmail` (see startStack); returns the identity app's address. */
async function startVendorEmail(o: {
  dbUrl: string;
  label: string;
  nc: Awaited<ReturnType<typeof connectNats>>;
  ticketSql: ReturnType<typeof createSql>;
  ticketUrl: string;
  logger: ReturnType<typeof createLogger>;
  stops: (() => Promise<unknown>)[];
}): Promise<string> {
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
  await seedDemoContacts(idSql);
  const deps: IdentityDeps = {
    sql: idSql,
    logger,
    kc,
    js: jetstream(nc),
    nc,
    directoryReaderClients: ['tierline-notification'],
    verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-identity' }),
    vendorLinks: {
      keys: await loadVendorLinkKeys({ sql: idSql }),
      // Set to the app's own address once it listens (handlers read it per request): the test
      // proxy lets the browser reach a loopback address as it is.
      baseUrl: 'http://127.0.0.1:1',
      ttlMs: 240 * 60_000,
      ticketService: createTicketServiceClient({ baseUrl: o.ticketUrl, token: serviceAccountTokens(credentials), logger, timeoutMs: 5_000 }),
      pageRateLimitPerMinute: 1000,
      mintRateLimitPerMinute: 1000,
    },
  };
  const identity = await listen(createIdentityApp(deps), 0);
  stops.push(() => identity.close());
  const identityUrl = `http://127.0.0.1:${identity.port}`;
  deps.vendorLinks.baseUrl = identityUrl;

  const notifierSql = createSql(await serviceLogin('notification', o.dbUrl), 'notification', 3);
  stops.push(() => notifierSql.end());
  const stubs = await startProviderStubs(0);
  stops.push(() => stubs.close());
  const token = serviceAccountToken({ tokenUrl: `${env.issuer}/protocol/openid-connect/token`, clientId: 'tierline-notification', clientSecret: 'tierline-notification-dev-secret', timeoutMs: 5_000 });
  const email = createEmailSender({ smtpUrl: env.smtpUrl, from: 'Tierline <tierline@tierline.test>', mailpitUrl: env.mailpitUrl, timeoutMs: 5_000 });
  stops.push(async () => email.close());
  const pipeline = createPipeline({
    sql: notifierSql,
    js: jetstream(nc),
    resolver: new IdentityRecipientResolver({ identityUrl, ticketUrl: o.ticketUrl, token, timeoutMs: 5_000, logger }),
    mintVendorLink: createVendorLinkMinter({ identityUrl, token, timeoutMs: 5_000 }),
    senders: {
      email,
      sms: createSmsSender({ accountSid: 'ACstub', authToken: 'stub-auth-token', from: '+15550100999', apiBase: stubs.url, timeoutMs: 5_000 }),
      slack: createSlackSender({ token: 'xoxb-stub', apiUrl: `${stubs.url}/slack/api/`, timeoutMs: 5_000 }),
      teams: createTeamsSender({ webhookUrl: `${stubs.url}/teams/webhook/tierline-stub`, timeoutMs: 5_000 }),
    },
    logger,
    portalUrl: PORTAL_ORIGIN,
    rateLimit: 100,
    leaseMs: 10_000,
    maxAttempts: 3,
    retryDelaysMs: [1_000, 2_000],
  });

  // Copies of the notify commands (a core subscription takes nothing from the stream's consumers).
  // A command is for this run if its ticket is in this run's database; it is tried a few times,
  // as a redelivery would, the last attempt giving failing sends up.
  let handling: Promise<void> = Promise.resolve();
  const handle = async (raw: unknown) => {
    const parsed = NotifyCommandSchema.safeParse(raw);
    if (!parsed.success) return;
    const cmd = parsed.data;
    const [mine] = await o.ticketSql<{ id: string }[]>`select id from tickets where id = ${cmd.ticketId}`.catch(() => []);
    if (!mine) return;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await pipeline.handleCommand(cmd, { isLast: attempt === 3 });
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
  return identityUrl;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A plain-HTTP forward proxy for the browser: requests for `virtualHost` go to `target`, requests
 * for other loopback addresses (Keycloak) go where they ask, everything else is refused (a test
 * browser has no business on the internet). Responses are piped, so event streams stay live.
 */
export async function forwardProxy(virtualHost: string, target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URL expected');
      return;
    }
    const dest = url.host === virtualHost ? target : LOOPBACK.has(url.hostname) ? url.host : null;
    if (!dest || url.protocol !== 'http:') {
      res.writeHead(403).end('the test proxy only reaches this machine');
      return;
    }
    const [hostname, port] = [dest.slice(0, dest.lastIndexOf(':')), Number(dest.slice(dest.lastIndexOf(':') + 1)) || 80];
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const upstream = request({ hostname: hostname.replace(/^\[|\]$/g, ''), port, method: req.method, path: `${url.pathname}${url.search}`, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  // Never tunnel (HTTPS and other CONNECTs): nothing the tests use needs it.
  server.on('connect', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
