import { z } from 'zod';
import { baseEnvSchema, databaseUrl, natsUrl, port } from '@tierline/platform';

export const notificationEnvSchema = baseEnvSchema.extend({
  // Where the HTTP API listens.
  PORT: port.default(3003),
  HOST: z.string().default('127.0.0.1'),
  // The notification service's own database; schema "notification" is migrated at start-up.
  DATABASE_URL: databaseUrl,
  // JetStream carrying notification commands.
  NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
  // Outgoing mail server (Mailpit locally).
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be smtp:// or smtps://').default('smtp://127.0.0.1:1025'),
});
