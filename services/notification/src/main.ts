import { fileURLToPath } from 'node:url';
import { connectNats, createLogger, createSql, ensureStreams, listen, migrate, onShutdown, parseEnv } from '@tierline/platform';
import { createNotificationApp } from './app.js';
import { notificationEnvSchema } from './env.js';

const env = parseEnv(notificationEnvSchema);
const logger = createLogger('notification', env.LOG_LEVEL);
const sql = createSql(env.DATABASE_URL, 'notification');
await migrate(sql, { schema: 'notification', dir: fileURLToPath(new URL('../migrations', import.meta.url)), logger });
const nc = await connectNats(env.NATS_URL, 'tierline-notification', logger);
await ensureStreams(nc);
const server = await listen(createNotificationApp({ sql, nc, logger }), env.PORT, env.HOST);
logger.info({ port: server.port }, 'notification service listening');
onShutdown(logger, async () => {
  await server.close();
  await nc.drain();
  await sql.end({ timeout: 5 });
});
