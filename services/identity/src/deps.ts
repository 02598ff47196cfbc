import type { AppEnv, JetStreamClient, Logger, NatsConnection, Sql, TokenVerifier } from '@tierline/platform';
import type { KeycloakAdmin } from './keycloak-admin.js';
import type { TicketService } from './ticket-service.js';
import type { VendorLinkKeys } from './vendor-link-keys.js';

/** Everything handlers need, handed in once so tests can pass their own. */
export interface IdentityDeps {
  sql: Sql;
  verifyToken: TokenVerifier;
  logger: Logger;
  /** Keycloak's admin API, through the identity service account. */
  kc: KeycloakAdmin;
  /** Audited directory events are published here. */
  js: JetStreamClient;
  /** The disabled-accounts bucket (revocation.ts) is written through this connection. */
  nc: NatsConnection;
  /** Client ids whose service-account tokens may read the directory. */
  directoryReaderClients: string[];
  /** User management calls (invite, disable, enable, roles) per actor and minute; default in app.ts. */
  userAdminRateLimitPerMinute?: number;
  /**
   * Reverse proxies in front of this service that append to X-Forwarded-For (TRUSTED_PROXY_HOPS),
   * for the client address of rate limits and of what vendor links record; absent: read from the
   * environment (platform clientAddress), 0 when unset.
   */
  trustedProxyHops?: number;
  vendorLinks: VendorLinkDeps;
  /** Requester links (routes/v1_requester_links_create.ts, routes/requester_link_*.ts); they share the vendor links' key, base URL and page limits. */
  requesterLinks?: { ttlMs?: number };
  /** How long an e-mailed enrolment link (execute-actions e-mail) stays usable; default in routes/common.ts. */
  enrolmentLinkLifespanSeconds?: number;
}

/** Vendor signed links (routes/v1_vendor_links_*.ts, routes/vendor_link_*.ts). */
export interface VendorLinkDeps {
  keys: VendorLinkKeys;
  /** Links are `${baseUrl}/v/<token>`. */
  baseUrl: string;
  /** How long a new link stays usable. */
  ttlMs: number;
  ticketService: TicketService;
  /** Requests per client address and minute to /v/*. */
  pageRateLimitPerMinute: number;
  /** Links minted per minute by one service account. */
  mintRateLimitPerMinute: number;
  /** Refused attempts are counted per window of this length and recorded once per window (default 60 s). */
  refusalWindowMs?: number;
}

/** The service's Hono environment: the platform's request variables and these deps. */
export type IdentityAppEnv = AppEnv<IdentityDeps>;
