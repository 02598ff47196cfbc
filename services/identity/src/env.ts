import { z } from 'zod';
import { baseEnvSchema, databaseUrl, httpUrl, port } from '@tierline/platform';

export const identityEnvSchema = baseEnvSchema
  .extend({
    // Where the HTTP API listens.
    PORT: port.default(3002),
    HOST: z.string().default('127.0.0.1'),
    // The identity service's own database; schema "identity" is migrated at start-up.
    DATABASE_URL: databaseUrl,
    // Keycloak base URL the service reaches for the realm's signing keys.
    KEYCLOAK_URL: httpUrl.default('http://localhost:8180'),
    KEYCLOAK_REALM: z.string().min(1).default('tierline'),
    // The `iss` tokens carry, when it differs from KEYCLOAK_URL (e.g. behind a proxy).
    KEYCLOAK_ISSUER: httpUrl.optional(),
    // This service's audience.
    TOKEN_AUDIENCE: z.string().min(1).default('tierline-identity'),
  })
  .transform((e) => ({
    ...e,
    KEYCLOAK_ISSUER: e.KEYCLOAK_ISSUER ?? `${e.KEYCLOAK_URL.replace(/\/$/, '')}/realms/${e.KEYCLOAK_REALM}`,
    JWKS_URL: `${e.KEYCLOAK_URL.replace(/\/$/, '')}/realms/${e.KEYCLOAK_REALM}/protocol/openid-connect/certs`,
  }));
