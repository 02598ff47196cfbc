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
import { AUDIT_MIGRATIONS_DIR, createAuditApp, createSigner, generateSigningKey, keyRing, startAuditConsumer } from '@tierline/audit';
import { DEFAULT_CATEGORIES, EVENTS_STREAM, type EscalationPolicy } from '@tierline/contracts';
import { connectNats, createLogger, createSql, createTokenVerifier, ensureStreams, listen, migrate, parseEnv } from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { createTicketApp, ensureInitialPolicy, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import { createNotificationApp, createTicketAccess, NOTIFICATION_MIGRATIONS_DIR } from '@tierline/notification';
import { createPortalApp, PORTAL_PUBLIC_DIR, portalEnvSchema } from '@tierline/portal/server';
import { TEST_FAST_POLICY } from '@tierline/workflows/policy';
import { createTicketWorker, NativeConnection } from '@tierline/workflows/worker';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The origin the browser uses for the portal: the one Keycloak's portal client redirects to. */
export const PORTAL_ORIGIN = 'http://localhost:3000';

/**
 * `audit: true` also starts the audit service's API and its event consumer (a durable of this run,
 * new events only), so the audit log page has a real hash chain to list and verify.
 */
export async function startStack(label: string, opts: { policy?: EscalationPolicy; audit?: boolean } = {}) {
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
    const ticketSql = createSql(db.url, 'ticket', 5);
    const notificationSql = createSql(db.url, 'notification', 3);
    stops.push(() => ticketSql.end(), () => notificationSql.end());
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
    const worker = await createTicketWorker({ connection: workerConnection, namespace: env.temporalNamespace, taskQueue, deps: { sql: ticketSql, js } });
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
      const auditSql = createSql(db.url, 'audit', 3);
      stops.push(() => auditSql.end());
      await migrate(auditSql, { schema: 'audit', dir: fileURLToPath(AUDIT_MIGRATIONS_DIR) });
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
    const portalEnv = parseEnv(portalEnvSchema, {
      LOG_LEVEL: 'silent',
      TICKET_SERVICE_URL: ticketUrl,
      NOTIFICATION_SERVICE_URL: `http://127.0.0.1:${notification.port}`,
      IDENTITY_SERVICE_URL: nowhere,
      AUDIT_SERVICE_URL: auditUrl,
      KEYCLOAK_URL: env.keycloakUrl,
      KEYCLOAK_REALM: env.realm,
    });
    const portal = await listen(createPortalApp({ env: portalEnv, logger, publicDir }), 0);
    stops.push(() => portal.close());

    const proxy = await forwardProxy(new URL(PORTAL_ORIGIN).host, `127.0.0.1:${portal.port}`);
    stops.push(() => proxy.close());

    return { ticketUrl, ticketSql, proxyUrl: proxy.url, taskQueue, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

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
