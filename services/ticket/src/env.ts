import { z } from 'zod';
import { DEFAULT_CATEGORIES } from '@tierline/contracts';
import { baseEnvSchema, checkNatsCredentials, databaseUrl, httpUrl, natsPassword, natsUrl, natsUser, port, productionSecrets } from '@tierline/platform';

export const ticketEnvSchema = baseEnvSchema
  .extend({
    // Where the HTTP API listens.
    PORT: port.default(3001),
    HOST: z.string().default('127.0.0.1'),
    // The ticket service's own database; its schema "ticket" is migrated at start-up.
    DATABASE_URL: databaseUrl,
    // Connections in the pool. Opening a ticket holds one while its workflow starts (the row and
    // the start commit together, decision 2), so this bounds how many tickets open at once: at 10,
    // 16 concurrent creations queued behind each other (npm run bench, decision 14). Replicas ×
    // this, plus the other services' pools, must stay under PostgreSQL's max_connections (100).
    DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(200).default(20),
    // JetStream, where audited events (policy changes) are published.
    NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
    // Who this process is to NATS, user "ticket" in infra/nats/nats.conf: its permissions allow only ticket, policy and assignment events.
    NATS_USER: natsUser,
    // That user's password: the local stack passes the dev secret "ticket-dev-secret"; a deployment, its own.
    NATS_PASSWORD: natsPassword,
    // Temporal frontend and namespace: every ticket is a workflow there.
    TEMPORAL_ADDRESS: z.string().regex(/^[^:]+:\d+$/, 'must be host:port').default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('tierline'),
    // Task queue the worker polls for ticket workflows.
    TICKET_TASK_QUEUE: z.string().min(1).default('tierline-tickets'),
    // Keycloak base URL the service reaches (JWKS); may be an internal address.
    KEYCLOAK_URL: httpUrl.default('http://localhost:8180'),
    KEYCLOAK_REALM: z.string().min(1).default('tierline'),
    // The `iss` browsers' tokens carry; defaults to KEYCLOAK_URL/realms/KEYCLOAK_REALM.
    KEYCLOAK_ISSUER: httpUrl.optional(),
    // This service's audience: tokens not meant for it are refused.
    TOKEN_AUDIENCE: z.string().min(1).default('tierline-ticket'),
    // Categories staff can choose, comma-separated: the list is configuration, not code.
    TICKET_CATEGORIES: z
      .string()
      .default(DEFAULT_CATEGORIES.join(','))
      .transform((s) => s.split(',').map((c) => c.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'categories are lower_snake_case ids')).min(1, 'at least one category')),
    // Tickets one person may open per minute (per replica): bounds a runaway script or a stolen
    // token; raise it for load tests that open tickets through the API as one user.
    TICKET_CREATE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(120),
    // Policy publishes per IT lead and minute: each one changes the escalation of every new ticket.
    POLICY_PUBLISH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(10),
    // Attachments (docs/decisions/0037) live in an S3 bucket. S3_ENDPOINT names an S3-compatible
    // store (the local stack's versitygw, MinIO…); without it the SDK talks to AWS S3 in S3_REGION.
    S3_ENDPOINT: httpUrl.optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name').default('tierline-attachments'),
    // Path-style URLs (endpoint/bucket/key), which every S3-compatible store understands; AWS takes both.
    S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    // The store's credentials; without them the SDK's default chain (instance role, AWS_* variables).
    // The local stack passes the dev pair of infra/lib/env.mjs; a deployment, its own.
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    // Largest file accepted, in bytes (10 MiB: a phone photo, a long log), and files per ticket.
    ATTACHMENT_MAX_BYTES: z.coerce.number().int().positive().max(100 * 1024 * 1024).default(10 * 1024 * 1024),
    ATTACHMENTS_PER_TICKET: z.coerce.number().int().positive().max(1000).default(20),
    // An upload whose row is still pending after this long died on the way: the sweeper removes its
    // row and object (every minute).
    ATTACHMENT_PENDING_MINUTES: z.coerce.number().int().positive().default(15),
  })
  .superRefine((e, ctx) => {
    if ((e.S3_ACCESS_KEY_ID === undefined) !== (e.S3_SECRET_ACCESS_KEY === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['S3_SECRET_ACCESS_KEY'], message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together' });
    }
  })
  .superRefine(checkNatsCredentials)
  // In production: no demo secret, none missing (decision 18).
  .superRefine(productionSecrets({ urls: ['DATABASE_URL'], nats: true, optional: ['S3_SECRET_ACCESS_KEY'] }))
  .transform((e) => ({
    ...e,
    KEYCLOAK_ISSUER: e.KEYCLOAK_ISSUER ?? `${e.KEYCLOAK_URL.replace(/\/$/, '')}/realms/${e.KEYCLOAK_REALM}`,
    JWKS_URL: `${e.KEYCLOAK_URL.replace(/\/$/, '')}/realms/${e.KEYCLOAK_REALM}/protocol/openid-connect/certs`,
  }));
export type TicketEnv = z.infer<typeof ticketEnvSchema>;
