import { fileURLToPath } from 'node:url';
import { connectNats, createLogger, createMetrics, createRevocationWatcher, createSql, createTokenVerifier, ensureStreams, initTracing, listen, migrate, onShutdown, parseEnv } from '@tierline/platform';
import { createNotificationApp } from './app.js';
import { notificationEnvSchema } from './env.js';
import { startNotificationWorker } from './service.js';
import { createTicketAccess } from './ticket-access.js';

const env = parseEnv(notificationEnvSchema);
const logger = createLogger('notification', env.LOG_LEVEL);
// Spans to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT (README "Observability"); off without one.
const tracing = initTracing('notification');
const sql = createSql(env.DATABASE_URL, 'notification');
await migrate(sql, { schema: 'notification', dir: fileURLToPath(new URL('../migrations', import.meta.url)), logger });
const nc = await connectNats(env.NATS_URL, 'tierline-notification', logger, { user: env.NATS_USER, password: env.NATS_PASSWORD });
await ensureStreams(nc);
// Tokens of accounts disabled in the identity service are refused at once, not at expiry; nothing
// is served before the list is loaded (a request before or while it cannot be checked gets 503).
const revoked = await createRevocationWatcher(nc, logger);
await revoked.ready;
const metrics = createMetrics('notification');
const worker = await startNotificationWorker({ env, sql, nc, logger, metrics });
const verifyToken = createTokenVerifier({ issuer: env.KEYCLOAK_ISSUER, jwksUrl: env.JWKS_URL, audience: env.TOKEN_AUDIENCE, isRevoked: revoked.isRevoked });
const ticketAccess = createTicketAccess({ ticketUrl: env.TICKET_SERVICE_URL, timeoutMs: env.SEND_TIMEOUT_MS });
const twilioStatus = env.TWILIO_STATUS_CALLBACK_URL
  ? { authToken: env.TWILIO_AUTH_TOKEN, callbackUrl: env.TWILIO_STATUS_CALLBACK_URL, onStatus: worker.pipeline.providerStatus.bind(null, 'sms') }
  : undefined;
const server = await listen(createNotificationApp({ sql, nc, logger, verifyToken, ticketAccess, metrics, ...(twilioStatus ? { twilioStatus } : {}) }), env.PORT, env.HOST);
logger.info({ port: server.port }, 'notification service listening');
onShutdown(logger, async () => {
  await revoked.stop();
  await server.close();
  await worker.stop();
  await nc.drain();
  await sql.end({ timeout: 5 });
  await tracing.shutdown();
});
