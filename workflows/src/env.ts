import { z } from 'zod';
import { baseEnvSchema, databaseUrl, natsUrl } from '@tierline/platform';

export const workerEnvSchema = baseEnvSchema.extend({
  // The ticket read model the activities keep current (the ticket service's database).
  DATABASE_URL: databaseUrl,
  // JetStream, where activities publish ticket events.
  NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
  // Temporal frontend (host:port) and namespace holding the ticket workflows.
  TEMPORAL_ADDRESS: z.string().regex(/^[^:]+:\d+$/, 'must be host:port').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('tierline'),
  // Task queue shared with the ticket service that starts the workflows.
  TICKET_TASK_QUEUE: z.string().min(1).default('tierline-tickets'),
});
export type WorkerEnv = z.infer<typeof workerEnvSchema>;
