import { fileURLToPath } from 'node:url';
import { connectNats, createLogger, createSql, ensureStreams, listen, migrate, onShutdown, parseEnv } from '@tierline/platform';
import { createAuditApp } from './app.js';
import { startAuditConsumer } from './consumer.js';
import { auditEnvSchema } from './env.js';

const env = parseEnv(auditEnvSchema);
const logger = createLogger('audit', env.LOG_LEVEL);

const sql = createSql(env.DATABASE_URL, 'audit');
await migrate(sql, { schema: 'audit', dir: fileURLToPath(new URL('../migrations', import.meta.url)), logger });
const nc = await connectNats(env.NATS_URL, 'tierline-audit', logger);
await ensureStreams(nc);
const consumer = await startAuditConsumer({ nc, sql, logger, durable: env.AUDIT_DURABLE });
const server = await listen(createAuditApp({ sql, nc, logger }), env.PORT, env.HOST);
logger.info({ port: server.port }, 'audit service listening');

onShutdown(logger, async () => {
  await server.close();
  await consumer.stop();
  await nc.drain();
  await sql.end({ timeout: 5 });
});
