import { fileURLToPath } from 'node:url';
import {
  connectNats,
  createLogger,
  createRevocationWatcher,
  createSql,
  createTokenVerifier,
  ensureStreams,
  listen,
  migrate,
  onShutdown,
  parseEnv,
} from '@tierline/platform';
import { createIdentityApp } from './app.js';
import { startDirectorySync } from './directory.js';
import { identityEnvSchema } from './env.js';
import { createKeycloakAdmin } from './keycloak-admin.js';

const env = parseEnv(identityEnvSchema);
const logger = createLogger('identity', env.LOG_LEVEL);
const sql = createSql(env.DATABASE_URL, 'identity');
await migrate(sql, { schema: 'identity', dir: fileURLToPath(new URL('../migrations', import.meta.url)), logger });

const nc = await connectNats(env.NATS_URL, 'tierline-identity', logger);
const js = (await ensureStreams(nc)).jetstream();
// This service, too, refuses tokens of disabled accounts (see @tierline/platform revocation.ts).
const revoked = await createRevocationWatcher(nc, logger);
await revoked.ready;

const kc = createKeycloakAdmin({
  baseUrl: env.KEYCLOAK_URL,
  realm: env.KEYCLOAK_REALM,
  clientId: env.KEYCLOAK_ADMIN_CLIENT_ID,
  clientSecret: env.KEYCLOAK_ADMIN_CLIENT_SECRET,
});
const sync = startDirectorySync({ sql, kc, logger, intervalMs: env.DIRECTORY_SYNC_INTERVAL_MS });

const app = createIdentityApp({
  sql,
  logger,
  kc,
  js,
  nc,
  directoryReaderClients: env.DIRECTORY_READER_CLIENTS,
  verifyToken: createTokenVerifier({
    issuer: env.KEYCLOAK_ISSUER,
    jwksUrl: env.JWKS_URL,
    audience: env.TOKEN_AUDIENCE,
    isRevoked: revoked.isRevoked,
  }),
});
const server = await listen(app, env.PORT, env.HOST);
logger.info({ port: server.port }, 'identity service listening');
onShutdown(logger, async () => {
  await server.close();
  sync.stop();
  await revoked.stop();
  await nc.drain();
  await sql.end({ timeout: 5 });
});
