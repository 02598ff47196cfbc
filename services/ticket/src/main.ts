import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { createLogger, createSql, createTokenVerifier, listen, migrate, onShutdown, parseEnv } from '@tierline/platform';
import { createTicketApp } from './app.js';
import { ticketEnvSchema } from './env.js';

const env = parseEnv(ticketEnvSchema);
const logger = createLogger('ticket', env.LOG_LEVEL);

const sql = createSql(env.DATABASE_URL, 'ticket');
await migrate(sql, { schema: 'ticket', dir: fileURLToPath(new URL('../migrations', import.meta.url)), logger });
const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
const temporal = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });

const app = createTicketApp({
  sql,
  temporal,
  taskQueue: env.TICKET_TASK_QUEUE,
  verifyToken: createTokenVerifier({ issuer: env.KEYCLOAK_ISSUER, jwksUrl: env.JWKS_URL, audience: env.TOKEN_AUDIENCE }),
  logger,
  categories: env.TICKET_CATEGORIES,
});
const server = await listen(app, env.PORT, env.HOST);
logger.info({ port: server.port }, 'ticket service listening');

onShutdown(logger, async () => {
  await server.close();
  await connection.close();
  await sql.end({ timeout: 5 });
});
