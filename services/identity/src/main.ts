import { fileURLToPath } from 'node:url';
import { createLogger, createSql, createTokenVerifier, listen, migrate, onShutdown, parseEnv } from '@tierline/platform';
import { createIdentityApp } from './app.js';
import { identityEnvSchema } from './env.js';

const env = parseEnv(identityEnvSchema);
const logger = createLogger('identity', env.LOG_LEVEL);
const sql = createSql(env.DATABASE_URL, 'identity');
await migrate(sql, { schema: 'identity', dir: fileURLToPath(new URL('../migrations', import.meta.url)), logger });
const app = createIdentityApp({
  sql,
  logger,
  verifyToken: createTokenVerifier({ issuer: env.KEYCLOAK_ISSUER, jwksUrl: env.JWKS_URL, audience: env.TOKEN_AUDIENCE }),
});
const server = await listen(app, env.PORT, env.HOST);
logger.info({ port: server.port }, 'identity service listening');
onShutdown(logger, async () => {
  await server.close();
  await sql.end({ timeout: 5 });
});
