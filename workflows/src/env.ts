import { z } from 'zod';
import { baseEnvSchema, checkNatsCredentials, databaseUrl, natsPassword, natsUrl, natsUser, productionSecrets } from '@tierline/platform';

export const workerEnvSchema = baseEnvSchema.extend({
  // The ticket read model the activities keep current (the ticket service's database).
  DATABASE_URL: databaseUrl,
  // JetStream, where activities publish ticket events.
  NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
  // Who this process is to NATS, user "worker" in infra/nats/nats.conf: its permissions allow only ticket, policy and assignment events and notify commands.
  NATS_USER: natsUser,
  // That user's password: the local stack passes the dev secret "worker-dev-secret"; a deployment, its own.
  NATS_PASSWORD: natsPassword,
  // Temporal frontend (host:port) and namespace holding the ticket workflows.
  TEMPORAL_ADDRESS: z.string().regex(/^[^:]+:\d+$/, 'must be host:port').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('tierline'),
  // Task queue shared with the ticket service that starts the workflows.
  TICKET_TASK_QUEUE: z.string().min(1).default('tierline-tickets'),
  // Where Prometheus scrapes the worker's own metrics (escalations fired, process): host:port, GET /metrics.
  METRICS_ADDRESS: z.string().regex(/^[^:]+:\d+$/, 'must be host:port').default('127.0.0.1:9465'),
  // Where the Temporal SDK serves its own metrics (task latencies, slots, polls): host:port, GET /metrics.
  TEMPORAL_METRICS_ADDRESS: z.string().regex(/^[^:]+:\d+$/, 'must be host:port').default('127.0.0.1:9464'),
  // The prebuilt workflow bundle; default: dist/workflow-bundle.js next to the worker, which `npm run build` writes.
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
})
  .superRefine(checkNatsCredentials)
  // In production: no demo secret, none missing (decision 18).
  .superRefine(productionSecrets({ urls: ['DATABASE_URL'], nats: true }));
export type WorkerEnv = z.infer<typeof workerEnvSchema>;
