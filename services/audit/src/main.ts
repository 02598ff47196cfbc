import {
  connectNats,
  consumerLagGauges,
  createLogger,
  initTracing,
  createMetrics,
  createRevocationWatcher,
  createTokenVerifier,
  ensureStreams,
  listen,
  onShutdown,
  parseEnv,
} from '@tierline/platform';
import { createAuditApp } from './app.js';
import { createCheckpointAnchors } from './anchor.js';
import { startCheckpointer } from './checkpointer.js';
import { startAuditConsumer } from './consumer.js';
import { createAuditSql } from './db.js';
import { assertMigrated, migrateAudit } from './migrations.js';
import { auditEnvSchema } from './env.js';
import { EVENTS_STREAM } from '@tierline/contracts';
import { loadKeys } from './keys.js';

const env = parseEnv(auditEnvSchema);
const logger = createLogger('audit', env.LOG_LEVEL);
// Spans to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT (README "Observability"); off without one.
const tracing = initTracing('audit');
const { signer, publicKeys } = loadKeys(env, logger);

// Migrations need an administrator; the service's own login (DATABASE_URL) owns nothing and can
// only read and append. Without AUDIT_MIGRATION_DATABASE_URL, `tierline-audit migrate` ran before.
if (env.AUDIT_MIGRATION_DATABASE_URL) await migrateAudit(env.AUDIT_MIGRATION_DATABASE_URL, { logger });
const sql = createAuditSql(env.DATABASE_URL, { role: env.AUDIT_DB_ROLE });
await assertMigrated(sql);

const nc = await connectNats(env.NATS_URL, 'tierline-audit', logger, { user: env.NATS_USER, password: env.NATS_PASSWORD });
await ensureStreams(nc);
// Tokens of accounts disabled in the identity service are refused at once, not at expiry; nothing
// is served before the list is loaded (a request before or while it cannot be checked gets 503).
const revoked = await createRevocationWatcher(nc, logger);
await revoked.ready;
const consumer = await startAuditConsumer({ nc, sql, logger, durable: env.AUDIT_DURABLE });
const metrics = createMetrics('audit');
// How far the log is behind the events: Prometheus alerts on a growing backlog.
consumerLagGauges(metrics, nc, [{ stream: EVENTS_STREAM, durable: env.AUDIT_DURABLE }]);
// Every signed checkpoint is also kept in an append-only JetStream stream, outside the database.
const anchors = await createCheckpointAnchors(nc);
const tickMs = Math.min(env.AUDIT_CHECKPOINT_EVERY_MS, 5_000);
const checkpointer = startCheckpointer({
  sql,
  signer,
  logger,
  anchors,
  policy: { everyRows: env.AUDIT_CHECKPOINT_EVERY_ROWS, everyMs: env.AUDIT_CHECKPOINT_EVERY_MS, tickMs },
});
const app = createAuditApp({
  sql,
  nc,
  logger,
  signer,
  publicKeys,
  exportRateLimitPerMinute: env.AUDIT_EXPORT_RATE_LIMIT,
  anchors,
  maxUnanchoredMs: env.AUDIT_CHECKPOINT_EVERY_MS + tickMs + env.AUDIT_ANCHOR_SLACK_MS,
  metrics,
  verifyToken: createTokenVerifier({ issuer: env.KEYCLOAK_ISSUER, jwksUrl: env.JWKS_URL, audience: env.TOKEN_AUDIENCE, isRevoked: revoked.isRevoked }),
});
const server = await listen(app, env.PORT, env.HOST);
logger.info({ port: server.port, keyId: signer.keyId }, 'audit service listening');

onShutdown(logger, async () => {
  await revoked.stop();
  await server.close();
  await consumer.stop();
  await checkpointer.stop();
  await nc.drain();
  await sql.end({ timeout: 5 });
  await tracing.shutdown();
});
