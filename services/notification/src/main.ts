import { fileURLToPath } from 'node:url';
import { connectNats, createLogger, createSql, createTokenVerifier, ensureStreams, listen, migrate, onShutdown, parseEnv } from '@tierline/platform';
import { createNotificationApp } from './app.js';
import { notificationEnvSchema } from './env.js';
import { startNotificationWorker } from './service.js';

const env = parseEnv(notificationEnvSchema);
const logger = createLogger('notification', env.LOG_LEVEL);
const sql = createSql(env.DATABASE_URL, 'notification');
await migrate(sql, { schema: 'notification', dir: fileURLToPath(new URL('../migrations', import.meta.url)), logger });
const nc = await connectNats(env.NATS_URL, 'tierline-notification', logger);
await ensureStreams(nc);
const worker = await startNotificationWorker({ env, sql, nc, logger });
const verifyToken = createTokenVerifier({ issuer: env.KEYCLOAK_ISSUER, jwksUrl: env.JWKS_URL, audience: env.TOKEN_AUDIENCE });
const server = await listen(createNotificationApp({ sql, nc, logger, verifyToken }), env.PORT, env.HOST);
logger.info({ port: server.port, resolver: env.RECIPIENT_RESOLVER }, 'notification service listening');
onShutdown(logger, async () => {
  await server.close();
  await worker.stop();
  await nc.drain();
  await sql.end({ timeout: 5 });
});
