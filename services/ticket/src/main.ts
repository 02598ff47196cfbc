import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bootService } from '@tierline/platform';
import { DEFAULT_POLICY } from '@tierline/domain';
import { temporalClientInterceptors } from '@tierline/ticket-workflow/client-tracing';
import { createTicketApp } from './app.js';
import { ticketEnvSchema } from './env.js';
import { startNotificationTimeline } from './notification-timeline.js';
import { attachmentOutbox, ensureInitialPolicy, policyOutbox, TICKET_MIGRATIONS_DIR } from '@tierline/ticket-store';
import { createObjectStore } from './attachments/object-store.js';
import { startSweeping } from './attachments/store.js';
import { startAutoLinking } from './auto-link.js';

// Migrations, NATS, the revocation view and the token verifier: bootService (@tierline/platform boot.ts).
await bootService({
  name: 'ticket',
  envSchema: ticketEnvSchema,
  database: { migrations: fileURLToPath(TICKET_MIGRATIONS_DIR) },
  async start({ env, logger, tracing, sql, nc, js, verifyToken }) {
    // A fresh installation starts on the built-in clinic policy (version 1) until an IT lead
    // publishes another; concurrent replicas publish it once.
    await ensureInitialPolicy(sql, DEFAULT_POLICY, 'system:ticket-service');
    // Delivery failures and lead alerts of the notification service appear on the tickets' timelines.
    const notificationTimeline = await startNotificationTimeline({ nc, sql, logger });
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    // Workflow starts and updates carry the request's trace context (no-op with tracing off).
    const temporal = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, interceptors: temporalClientInterceptors(tracing) });
    // Policy events are written to an outbox with the change itself; anything not yet published
    // (NATS was down, the process died) goes out here, now and every 30 s.
    const outboxFlush = await policyOutbox.startFlushing({ sql, js, logger });
    const attachmentEvents = await attachmentOutbox.startFlushing({ sql, js, logger });
    // Attachment content: an S3 bucket (the local stack's versitygw, or S3 itself).
    const objects = createObjectStore({
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    });
    // Uploads that died between their row and their commit: rows and objects removed (decision 37).
    const sweeper = startSweeping({ sql, objects, logger }, env.ATTACHMENT_PENDING_MINUTES * 60_000);

    // Automatic links to a major incident not made yet (the process died after the ticket's
    // commit, Temporal did not answer): sent now and every 15 s until made (decision 42).
    const autoLinks = await startAutoLinking({ sql, temporal, logger });

    const app = createTicketApp({
      sql,
      temporal,
      js,
      nc,
      taskQueue: env.TICKET_TASK_QUEUE,
      verifyToken,
      logger,
      categories: env.TICKET_CATEGORIES,
      objects,
      attachmentLimits: { maxBytes: env.ATTACHMENT_MAX_BYTES, maxPerTicket: env.ATTACHMENTS_PER_TICKET },
      rateLimits: { ticketCreatePerMinute: env.TICKET_CREATE_RATE_LIMIT_PER_MINUTE, policyPublishPerMinute: env.POLICY_PUBLISH_RATE_LIMIT_PER_MINUTE },
    });
    return {
      app,
      async stop() {
        await outboxFlush.stop();
        await attachmentEvents.stop();
        await sweeper.stop();
        await autoLinks.stop();
        objects.close();
        await notificationTimeline.stop();
        await connection.close();
      },
    };
  },
});
