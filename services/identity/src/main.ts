import { fileURLToPath } from 'node:url';
import {
  connectNats,
  createLogger,
  initTracing,
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
import { startKeycloakEventPoller } from './keycloak-events.js';
import { serviceAccountTokens } from './service-token.js';
import { createTicketServiceClient } from './ticket-service.js';
import { loadVendorLinkKeys } from './vendor-link-keys.js';
import { startRefusalWindows, vendorLinkOutbox } from './vendor-links.js';

const env = parseEnv(identityEnvSchema);
const logger = createLogger('identity', env.LOG_LEVEL);
// Spans to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT (README "Observability"); off without one.
const tracing = initTracing('identity');
const sql = createSql(env.DATABASE_URL, 'identity');
await migrate(sql, { schema: 'identity', dir: fileURLToPath(new URL('../migrations', import.meta.url)), logger });

const nc = await connectNats(env.NATS_URL, 'tierline-identity', logger, { user: env.NATS_USER, password: env.NATS_PASSWORD });
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
// Keycloak's login events (logins, failures, second-factor changes) into the audit log.
const loginEvents = startKeycloakEventPoller({ sql, kc, js, logger, intervalMs: env.KEYCLOAK_EVENTS_POLL_MS });

const vendorLinkKeys = await loadVendorLinkKeys({ sql, signingKey: env.VENDOR_LINK_SIGNING_KEY, keyId: env.VENDOR_LINK_KEY_ID, logger });
// The same service account as the admin API; its token's audiences include tierline-ticket.
const ticketService = createTicketServiceClient({
  baseUrl: env.TICKET_SERVICE_URL,
  token: serviceAccountTokens({ baseUrl: env.KEYCLOAK_URL, realm: env.KEYCLOAK_REALM, clientId: env.KEYCLOAK_ADMIN_CLIENT_ID, clientSecret: env.KEYCLOAK_ADMIN_CLIENT_SECRET }),
  logger,
});
// vendor_link.* events NATS did not take (it was down, the process died) go out now and every 30 s.
const outboxFlush = await vendorLinkOutbox.startFlushing({ sql, js, logger });
// Refused link attempts: each ended window becomes one event (checked a few times per window).
const refusalWindows = startRefusalWindows({ sql, js, logger, everyMs: Math.min(env.VENDOR_LINK_REFUSAL_WINDOW_MS / 4, 15_000) });

const app = createIdentityApp({
  sql,
  logger,
  kc,
  js,
  nc,
  directoryReaderClients: env.DIRECTORY_READER_CLIENTS,
  userAdminRateLimitPerMinute: env.USER_ADMIN_RATE_LIMIT,
  enrolmentLinkLifespanSeconds: env.ENROLMENT_LINK_TTL_HOURS * 3600,
  trustedProxyHops: env.TRUSTED_PROXY_HOPS,
  vendorLinks: {
    keys: vendorLinkKeys,
    baseUrl: env.VENDOR_LINK_BASE_URL,
    ttlMs: env.VENDOR_LINK_TTL_MINUTES * 60_000,
    ticketService,
    pageRateLimitPerMinute: env.VENDOR_LINK_PAGE_RATE_LIMIT,
    mintRateLimitPerMinute: env.VENDOR_LINK_MINT_RATE_LIMIT,
    refusalWindowMs: env.VENDOR_LINK_REFUSAL_WINDOW_MS,
  },
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
  loginEvents.stop();
  await outboxFlush.stop();
  await refusalWindows.stop();
  await revoked.stop();
  await nc.drain();
  await sql.end({ timeout: 5 });
  await tracing.shutdown();
});
