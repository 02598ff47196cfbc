import { z } from 'zod';
import { baseEnvSchema, databaseUrl, httpUrl, natsUrl, port } from '@tierline/platform';

export const identityEnvSchema = baseEnvSchema
  .extend({
    // Where the HTTP API listens.
    PORT: port.default(3002),
    HOST: z.string().default('127.0.0.1'),
    // The identity service's own database; schema "identity" is migrated at start-up.
    DATABASE_URL: databaseUrl,
    // JetStream: audited directory events are published, and the disabled-accounts bucket is written and watched.
    NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
    // Keycloak base URL the service reaches for the realm's signing keys and its admin API.
    KEYCLOAK_URL: httpUrl.default('http://localhost:8180'),
    KEYCLOAK_REALM: z.string().min(1).default('tierline'),
    // The `iss` tokens carry, when it differs from KEYCLOAK_URL (e.g. behind a proxy).
    KEYCLOAK_ISSUER: httpUrl.optional(),
    // This service's audience.
    TOKEN_AUDIENCE: z.string().min(1).default('tierline-identity'),
    // The service account that reads and changes users through Keycloak's admin API (realm-management roles in the realm file).
    KEYCLOAK_ADMIN_CLIENT_ID: z.string().min(1).default('tierline-identity'),
    // Its client secret; the default is the demo realm's (never for real use).
    KEYCLOAK_ADMIN_CLIENT_SECRET: z.string().min(1).default('tierline-identity-dev-secret'),
    // How often the directory is re-read from Keycloak, on top of the read at start-up; 0 turns the timer off.
    DIRECTORY_SYNC_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000),
    // Clients whose service-account tokens may read the directory (e.g. to resolve notification targets).
    DIRECTORY_READER_CLIENTS: z
      .string()
      .default('tierline-notification')
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
  })
  .transform((e) => ({
    ...e,
    KEYCLOAK_ISSUER: e.KEYCLOAK_ISSUER ?? `${e.KEYCLOAK_URL.replace(/\/$/, '')}/realms/${e.KEYCLOAK_REALM}`,
    JWKS_URL: `${e.KEYCLOAK_URL.replace(/\/$/, '')}/realms/${e.KEYCLOAK_REALM}/protocol/openid-connect/certs`,
  }));
export type IdentityEnv = z.infer<typeof identityEnvSchema>;
