import type { Actor, Logger, Metrics, NatsConnection, Sql, TokenVerifier } from '@tierline/platform';
import type { AuditSigner, PublicKeyRing } from './signing.js';

/** Everything handlers need, handed in once so tests can pass their own. */
export interface AuditDeps {
  sql: Sql;
  logger: Logger;
  verifyToken: TokenVerifier;
  /** Signs checkpoints; its public key is published. */
  signer: AuditSigner;
  /** Keys whose checkpoints verify accepts: the signer's and retired ones. */
  publicKeys: PublicKeyRing;
  /** Only for /readyz; the API itself does not use NATS. */
  nc?: NatsConnection;
  /** Exports and verifications per actor and minute (default 30): each reads the whole log. */
  exportRateLimitPerMinute?: number;
  /** The process's Prometheus registry (served at /metrics); one is made when absent. */
  metrics?: Metrics;
}

export interface AuditAppEnv {
  Variables: {
    requestId: string;
    deps: AuditDeps;
    actor: Actor;
  };
}
