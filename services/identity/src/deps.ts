import type { Actor, JetStreamClient, Logger, NatsConnection, Sql, TokenVerifier } from '@tierline/platform';
import type { KeycloakAdmin } from './keycloak-admin.js';

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
}

export interface IdentityAppEnv {
  Variables: { requestId: string; deps: IdentityDeps; actor: Actor };
}
