import type { Client } from '@temporalio/client';
import type { AppEnv, JetStreamClient, Logger, NatsConnection, Sql, TokenVerifier } from '@tierline/platform';
import type { ObjectStore } from './attachments/object-store.js';
import type { AttachmentLimits } from './attachments/store.js';

/** Everything handlers need, handed in once so tests can pass their own. */
export interface TicketDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  verifyToken: TokenVerifier;
  logger: Logger;
  categories: string[];
  /**
   * Where audited events go: policy events (without it they wait in the policy outbox,
   * @tierline/ticket-store policies.ts) and admins' and auditors' ticket reads (without it those are refused).
   */
  js?: JetStreamClient;
  /** Where the live stream (routes/v1_events_stream.ts) hears ticket events; without it the stream answers 503. */
  nc?: NatsConnection;
  /** Per-actor limits of the sensitive endpoints; defaults in app.ts. */
  rateLimits?: Partial<TicketRateLimits>;
  /** Where attachment content lives (attachments/object-store.ts); without it the attachment routes answer 503. */
  objects?: ObjectStore;
  /** Size and count limits of attachments; defaults in attachments/store.ts. */
  attachmentLimits?: Partial<AttachmentLimits>;
}

/** Requests per actor and minute (each replica counts on its own, see platform rateLimit). */
export interface TicketRateLimits {
  ticketCreatePerMinute: number;
  policyPublishPerMinute: number;
}

/** The service's Hono environment: the platform's request variables and these deps. */
export type TicketAppEnv = AppEnv<TicketDeps>;
