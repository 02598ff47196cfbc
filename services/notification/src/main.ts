import { fileURLToPath } from 'node:url';
import { bootService, createMetrics } from '@tierline/platform';
import { createNotificationApp } from './app.js';
import { notificationEnvSchema } from './env.js';
import { startNotificationWorker } from './service.js';
import { createTicketAccess } from './ticket-access.js';
import { startInbound } from './inbound/index.js';

// Migrations, NATS, the revocation view and the token verifier: bootService (@tierline/platform boot.ts).
await bootService({
  name: 'notification',
  envSchema: notificationEnvSchema,
  database: { migrations: fileURLToPath(new URL('../migrations', import.meta.url)) },
  async start({ env, logger, sql, nc, verifyToken }) {
    const metrics = createMetrics('notification');
    const worker = await startNotificationWorker({ env, sql, nc, logger, metrics });
    const ticketAccess = createTicketAccess({ ticketUrl: env.TICKET_SERVICE_URL, timeoutMs: env.SEND_TIMEOUT_MS });
    const twilioStatus = env.TWILIO_STATUS_CALLBACK_URL
      ? { authToken: env.TWILIO_AUTH_TOKEN, callbackUrl: env.TWILIO_STATUS_CALLBACK_URL, onStatus: worker.pipeline.providerStatus.bind(null, 'sms') }
      : undefined;
    // Mail in (docs/decisions/0036): the SMTP listener the clinic relay delivers to, and its processor.
    const inbound = await startInbound({ env, sql, logger });
    const app = createNotificationApp({ sql, nc, logger, verifyToken, ticketAccess, metrics, ...(twilioStatus ? { twilioStatus } : {}) });
    return {
      app,
      stop: async () => {
        await inbound.stop();
        await worker.stop();
      },
    };
  },
});
