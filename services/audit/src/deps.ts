import type { AppEnv, Logger, Metrics, NatsConnection, Sql, TokenVerifier } from '@tierline/platform';
import type { CheckpointAnchors } from './anchor.js';
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
  /**
   * Checkpoints kept outside the database (the append-only JetStream stream). With them, verify
   * also requires the newest anchored checkpoint in the database and no row older than
   * `maxUnanchoredMs` beyond it; exports and on-demand checkpoints are anchored too.
   */
  anchors?: CheckpointAnchors;
  /** Default: 10 s checkpoint interval + 5 s tick + 60 s slack. */
  maxUnanchoredMs?: number;
  /** The process's Prometheus registry (served at /metrics); one is made when absent. */
  metrics?: Metrics;
}

/** The service's Hono environment: the platform's request variables and these deps. */
export type AuditAppEnv = AppEnv<AuditDeps>;
