import { fileURLToPath } from 'node:url';
import { bootService } from '@tierline/platform';
import { createIdentityApp } from './app.js';
import { startDirectorySync } from './directory.js';
import { identityEnvSchema } from './env.js';
import { createKeycloakAdmin } from './keycloak-admin.js';
import { startKeycloakEventPoller } from './keycloak-events.js';
import { serviceAccountTokens } from './service-token.js';
import { createTicketServiceClient } from './ticket-service.js';
import { loadVendorLinkKeys } from './vendor-link-keys.js';
import { startRefusalWindows, vendorLinkOutbox } from './vendor-links.js';

// Migrations, NATS, the revocation view and the token verifier: bootService (@tierline/platform boot.ts).
await bootService({
  name: 'identity',
  envSchema: identityEnvSchema,
  database: { migrations: fileURLToPath(new URL('../migrations', import.meta.url)) },
  async start({ env, logger, sql, nc, js, verifyToken }) {
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
      requesterLinks: { ttlMs: env.REQUESTER_LINK_TTL_DAYS * 24 * 3_600_000 },
      verifyToken,
    });
    return {
      app,
      async stop() {
        sync.stop();
        await loginEvents.stop();
        await outboxFlush.stop();
        await refusalWindows.stop();
      },
    };
  },
});
