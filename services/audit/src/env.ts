import { z } from 'zod';
import { baseEnvSchema, databaseUrl, natsUrl, port } from '@tierline/platform';

export const auditEnvSchema = baseEnvSchema.extend({
  // Where the HTTP API (health, and later query/export/verify) listens.
  PORT: port.default(3004),
  HOST: z.string().default('127.0.0.1'),
  // The audit service's own database; schema "audit" is migrated at start-up.
  DATABASE_URL: databaseUrl,
  // JetStream holding every event Tierline publishes.
  NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
  // Durable consumer name; replicas share it so each event is handled once.
  AUDIT_DURABLE: z.string().min(1).default('audit'),
});
export type AuditEnv = z.infer<typeof auditEnvSchema>;
