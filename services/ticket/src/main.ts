import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { jetstream } from '@nats-io/jetstream';
import {
  connectNats,
  createLogger,
  initTracing,
  createSql,
  createRevocationWatcher,
  createTokenVerifier,
  ensureStreams,
  listen,
  migrate,
  onShutdown,
  parseEnv,
} from '@tierline/platform';
import { DEFAULT_POLICY } from '@tierline/workflows/policy';
import { temporalClientInterceptors } from '@tierline/workflows/tracing';
import { createTicketApp } from './app.js';
import { ticketEnvSchema } from './env.js';
import { startNotificationTimeline } from './notification-timeline.js';
import { ensureInitialPolicy, policyOutbox } from './policies-repo.js';

const env = parseEnv(ticketEnvSchema);
const logger = createLogger('ticket', env.LOG_LEVEL);
// Spans to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT (README "Observability"); off without one.
const tracing = initTracing('ticket');

const sql = createSql(env.DATABASE_URL, 'ticket', env.DATABASE_POOL_MAX);
await migrate(sql, { schema: 'ticket', dir: fileURLToPath(new URL('../migrations', import.meta.url)), logger });
// A fresh installation starts on the built-in clinic policy (version 1) until an IT lead
// publishes another; concurrent replicas publish it once.
await ensureInitialPolicy(sql, DEFAULT_POLICY, 'system:ticket-service');
const nc = await connectNats(env.NATS_URL, 'tierline-ticket', logger, { user: env.NATS_USER, password: env.NATS_PASSWORD });
await ensureStreams(nc);
// Tokens of accounts disabled in the identity service are refused at once, not at expiry; nothing
// is served before the list is loaded (a request before or while it cannot be checked gets 503).
const revoked = await createRevocationWatcher(nc, logger);
await revoked.ready;
const js = jetstream(nc);
// Delivery failures and lead alerts of the notification service appear on the tickets' timelines.
const notificationTimeline = await startNotificationTimeline({ nc, sql, logger });
const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
// Workflow starts and updates carry the request's trace context (no-op with tracing off).
const temporal = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, interceptors: temporalClientInterceptors(tracing) });

// Policy events are written to an outbox with the change itself; anything not yet published
// (NATS was down, the process died) goes out here.
const outboxFlush = await policyOutbox.startFlushing({ sql, js, logger });

const app = createTicketApp({
  sql,
  temporal,
  js,
  nc,
  taskQueue: env.TICKET_TASK_QUEUE,
  verifyToken: createTokenVerifier({ issuer: env.KEYCLOAK_ISSUER, jwksUrl: env.JWKS_URL, audience: env.TOKEN_AUDIENCE, isRevoked: revoked.isRevoked }),
  logger,
  categories: env.TICKET_CATEGORIES,
  rateLimits: { ticketCreatePerMinute: env.TICKET_CREATE_RATE_LIMIT_PER_MINUTE, policyPublishPerMinute: env.POLICY_PUBLISH_RATE_LIMIT_PER_MINUTE },
});
const server = await listen(app, env.PORT, env.HOST);
logger.info({ port: server.port }, 'ticket service listening');

onShutdown(logger, async () => {
  await revoked.stop();
  await outboxFlush.stop();
  await server.close();
  await notificationTimeline.stop();
  await nc.drain();
  await connection.close();
  await sql.end({ timeout: 5 });
  await tracing.shutdown();
});
