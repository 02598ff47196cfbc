/**
 * The four API services the fuzzer talks to, started in this process on free ports against the
 * real PostgreSQL, NATS JetStream, Temporal and Keycloak: the ticket service with the Temporal
 * worker (on a task queue of its own, so ticket actions are answered by real workflows), the
 * identity service (directory synced from Keycloak, signed vendor links), the notification
 * service's API and the audit service's API. One database for the run, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { jetstream } from '@nats-io/jetstream';
import { AUDIT_MIGRATIONS_DIR, createAuditApp, createSigner, generateSigningKey, keyRing } from '@tierline/audit';
import { DEFAULT_CATEGORIES } from '@tierline/contracts';
import {
  createIdentityApp,
  createKeycloakAdmin,
  createTicketServiceClient,
  IDENTITY_MIGRATIONS_DIR,
  IDENTITY_OPENAPI_PATH,
  loadVendorLinkKeys,
  serviceAccountTokens,
  startDirectorySync,
  type IdentityDeps,
} from '@tierline/identity';
import { createNotificationApp, createTicketAccess, NOTIFICATION_MIGRATIONS_DIR, NOTIFICATION_OPENAPI_PATH } from '@tierline/notification';
import { connectNats, createLogger, createSql, createTokenVerifier, ensureStreams, listen, migrate } from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { createTicketApp, ensureInitialPolicy, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import { TEST_FAST_POLICY } from '@tierline/domain';
import { createTicketWorker, NativeConnection } from '@tierline/workflows/worker';

/**
 * Rate limits far above what the fuzzer sends, so that the logic behind the limited operations
 * (policy publish, user management, audit export) is fuzzed instead of answered 429. Their 429
 * and its documentation are tested where the limits are (platform http-input.test.ts, each
 * service's openapi.test.ts).
 */
const FUZZ_RATE_LIMIT = 100_000;
const FUZZ_RATE_LIMITS = { ticket: { ticketCreatePerMinute: FUZZ_RATE_LIMIT, policyPublishPerMinute: FUZZ_RATE_LIMIT } };

export interface FuzzedService {
  name: 'ticket' | 'identity' | 'notification' | 'audit';
  baseUrl: string;
  /** Where the service serves its OpenAPI document (the same path the portal forwards). */
  documentPath: string;
}

export async function startServices(label: string) {
  const env = testEnv();
  const logger = createLogger(`fuzz-${label}`, process.env.LOG_LEVEL ?? 'silent');
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => logger.warn({ err }, 'stopping a fuzzed app failed'));
  };
  const verifier = (audience: string) => createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience });
  try {
    const db = await createTestDatabase(`fuzz-${label}`);
    stops.push(() => db.drop());
    const ticketSql = createSql(db.url, 'ticket', 5);
    const identitySql = createSql(db.url, 'identity', 3);
    const notificationSql = createSql(db.url, 'notification', 3);
    const auditSql = createSql(db.url, 'audit', 3);
    stops.push(() => ticketSql.end(), () => identitySql.end(), () => notificationSql.end(), () => auditSql.end());
    await migrate(ticketSql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
    await migrate(identitySql, { schema: 'identity', dir: fileURLToPath(IDENTITY_MIGRATIONS_DIR) });
    await migrate(notificationSql, { schema: 'notification', dir: fileURLToPath(NOTIFICATION_MIGRATIONS_DIR) });
    await migrate(auditSql, { schema: 'audit', dir: fileURLToPath(AUDIT_MIGRATIONS_DIR) });
    await ensureInitialPolicy(ticketSql, TEST_FAST_POLICY, 'system:test');

    const nc = await connectNats(env.natsUrl, `fuzz-${label}`);
    stops.push(() => nc.drain());
    await ensureStreams(nc);
    const js = jetstream(nc);

    const taskQueue = `fuzz-${label}-${randomBytes(4).toString('hex')}`;
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
        verifyToken: verifier('tierline-ticket'),
        logger,
        categories: [...DEFAULT_CATEGORIES],
        rateLimits: FUZZ_RATE_LIMITS.ticket,
      }),
      0,
    );
    stops.push(() => ticket.close());
    const ticketUrl = `http://127.0.0.1:${ticket.port}`;

    const credentials = { baseUrl: env.keycloakUrl, realm: env.realm, clientId: 'tierline-identity', clientSecret: 'tierline-identity-dev-secret' };
    const kc = createKeycloakAdmin(credentials);
    const sync = startDirectorySync({ sql: identitySql, kc, logger, intervalMs: 0 });
    stops.push(async () => sync.stop());
    await sync.first;
    const identityDeps: IdentityDeps = {
      sql: identitySql,
      logger,
      kc,
      js,
      nc,
      directoryReaderClients: ['tierline-notification'],
      userAdminRateLimitPerMinute: FUZZ_RATE_LIMIT,
      verifyToken: verifier('tierline-identity'),
      vendorLinks: {
        keys: await loadVendorLinkKeys({ sql: identitySql }),
        baseUrl: 'http://127.0.0.1:1',
        ttlMs: 240 * 60_000,
        ticketService: createTicketServiceClient({ baseUrl: ticketUrl, token: serviceAccountTokens(credentials), logger, timeoutMs: 5_000 }),
        pageRateLimitPerMinute: FUZZ_RATE_LIMIT,
        mintRateLimitPerMinute: FUZZ_RATE_LIMIT,
      },
    };
    const identity = await listen(createIdentityApp(identityDeps), 0);
    stops.push(() => identity.close());
    identityDeps.vendorLinks.baseUrl = `http://127.0.0.1:${identity.port}`;

    const notification = await listen(
      createNotificationApp({ sql: notificationSql, nc, logger, verifyToken: verifier('tierline-notification'), ticketAccess: createTicketAccess({ ticketUrl }) }),
      0,
    );
    stops.push(() => notification.close());

    const signer = createSigner(generateSigningKey());
    const audit = await listen(
      createAuditApp({ sql: auditSql, logger, signer, publicKeys: keyRing([signer.publicKey]), verifyToken: verifier('tierline-audit'), exportRateLimitPerMinute: FUZZ_RATE_LIMIT }),
      0,
    );
    stops.push(() => audit.close());

    const services: FuzzedService[] = [
      { name: 'ticket', baseUrl: ticketUrl, documentPath: '/api/v1/openapi.json' },
      { name: 'identity', baseUrl: `http://127.0.0.1:${identity.port}`, documentPath: IDENTITY_OPENAPI_PATH },
      { name: 'notification', baseUrl: `http://127.0.0.1:${notification.port}`, documentPath: NOTIFICATION_OPENAPI_PATH },
      { name: 'audit', baseUrl: `http://127.0.0.1:${audit.port}`, documentPath: '/api/v1/audit/openapi.json' },
    ];
    return { services, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
