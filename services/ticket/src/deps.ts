import type { Client } from '@temporalio/client';
import type { Actor, JetStreamClient, Logger, Sql, TokenVerifier } from '@tierline/platform';

/** Everything handlers need, handed in once so tests can pass their own. */
export interface TicketDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  verifyToken: TokenVerifier;
  logger: Logger;
  categories: string[];
  /** Where audited policy events go; without it they wait in the policy outbox (policies-repo.ts). */
  js?: JetStreamClient;
}

export interface TicketAppEnv {
  Variables: {
    requestId: string;
    deps: TicketDeps;
    actor: Actor;
  };
}
