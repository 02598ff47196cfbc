import { EVENTS_STREAM } from '@tierline/contracts';
import { bootService, consumerLagGauges, createMetrics } from '@tierline/platform';
import { createAuditApp } from './app.js';
import { createCheckpointAnchors } from './anchor.js';
import { startCheckpointer } from './checkpointer.js';
import { startAuditConsumer } from './consumer.js';
import { createAuditSql } from './db.js';
import { assertMigrated, migrateAudit } from './migrations.js';
import { auditEnvSchema } from './env.js';
import { loadKeys } from './keys.js';

// NATS, the revocation view and the token verifier: bootService (@tierline/platform boot.ts).
await bootService({
  name: 'audit',
  envSchema: auditEnvSchema,
  database: {
    // Migrations need an administrator; the service's own login (DATABASE_URL) owns nothing and can
    // only read and append. Without AUDIT_MIGRATION_DATABASE_URL, `tierline-audit migrate` ran before.
    async open(env, logger) {
      if (env.AUDIT_MIGRATION_DATABASE_URL) await migrateAudit(env.AUDIT_MIGRATION_DATABASE_URL, { logger });
      const sql = createAuditSql(env.DATABASE_URL, { role: env.AUDIT_DB_ROLE });
      await assertMigrated(sql);
      return sql;
    },
  },
  async start({ env, logger, sql, nc, verifyToken }) {
    const { signer, publicKeys } = loadKeys(env, logger);
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
      verifyToken,
    });
    return {
      app,
      listening: { keyId: signer.keyId },
      async stop() {
        await consumer.stop();
        await checkpointer.stop();
      },
    };
  },
});
