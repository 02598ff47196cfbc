import { z } from 'zod';
import { baseEnvSchema, checkNatsCredentials, databaseUrl, httpUrl, natsPassword, natsUrl, natsUser, port, productionSecrets } from '@tierline/platform';
import { parseSigningKey } from './vendor-link-keys.js';

export const identityEnvSchema = baseEnvSchema
  .extend({
    // Where the HTTP API listens.
    PORT: port.default(3002),
    HOST: z.string().default('127.0.0.1'),
    // The identity service's own database; schema "identity" is migrated at start-up.
    DATABASE_URL: databaseUrl,
    // JetStream: audited directory events are published, and the disabled-accounts bucket is written and watched.
    NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
    // Who this process is to NATS, user "identity" in infra/nats/nats.conf: its permissions allow only identity and vendor_link events and the revoked-users bucket.
    NATS_USER: natsUser,
    // That user's password: the local stack passes the dev secret "identity-dev-secret"; a deployment, its own.
    NATS_PASSWORD: natsPassword,
    // Keycloak base URL the service reaches for the realm's signing keys and its admin API.
    KEYCLOAK_URL: httpUrl.default('http://localhost:8180'),
    KEYCLOAK_REALM: z.string().min(1).default('tierline'),
    // The `iss` tokens carry, when it differs from KEYCLOAK_URL (e.g. behind a proxy).
    KEYCLOAK_ISSUER: httpUrl.optional(),
    // This service's audience.
    TOKEN_AUDIENCE: z.string().min(1).default('tierline-identity'),
    // The service account that reads and changes users through Keycloak's admin API (realm-management roles in the realm file).
    KEYCLOAK_ADMIN_CLIENT_ID: z.string().min(1).default('tierline-identity'),
    // Its client secret; the default is the demo realm's, refused in production.
    KEYCLOAK_ADMIN_CLIENT_SECRET: z.string().min(1).default('tierline-identity-dev-secret'),
    // How often the directory is re-read from Keycloak, on top of the read at start-up; 0 turns the timer off.
    DIRECTORY_SYNC_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000),
    // Clients whose service-account tokens may read the directory (e.g. to resolve notification targets).
    DIRECTORY_READER_CLIENTS: z
      .string()
      .default('tierline-notification')
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
    // The ticket service, called to check and record a vendor's acknowledgement through a signed link.
    TICKET_SERVICE_URL: httpUrl.default('http://127.0.0.1:3001'),
    // Ed25519 key signing vendor links (PKCS8 PEM, base64 of it, or a private JWK); required in production. Without
    // it (development, tests) a key is generated once into the identity database (a warning is logged at start).
    VENDOR_LINK_SIGNING_KEY: z
      .string()
      .min(1)
      .optional()
      .superRefine((v, ctx) => {
        if (!v) return;
        try {
          parseSigningKey(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }),
    // The JWS `kid` of that key, published in the links' JWKS; defaults to the key's RFC 7638 thumbprint.
    VENDOR_LINK_KEY_ID: z.string().min(1).max(100).optional(),
    // Public origin vendors' links point to (…/v/<token>); defaults to this service's own address.
    VENDOR_LINK_BASE_URL: httpUrl.optional(),
    // How long a vendor link stays usable, in minutes: long enough for an on-call vendor to react, short enough to limit a leaked link.
    VENDOR_LINK_TTL_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(240),
    // Requests per client address and minute to the no-login link pages (/v/*), against guessing and floods.
    VENDOR_LINK_PAGE_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
    // Refused link attempts are counted per window of this many milliseconds and recorded as one
    // vendor_link.refusals_counted event per window, reason, action and link (not one per request).
    VENDOR_LINK_REFUSAL_WINDOW_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
    // Links one service account may mint per minute (a burst of escalations fans out to every vendor user).
    VENDOR_LINK_MINT_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
    // How long a requester's "Fixed" / "Not fixed" pair stays usable, in days (it stops earlier when the ticket is no longer resolved).
    REQUESTER_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(30).default(7),
    // User management calls (invite, disable, enable, role changes) per IT lead or admin and minute: a stolen session cannot mass-change accounts.
    USER_ADMIN_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
    // How long the e-mailed enrolment link (Keycloak's execute-actions e-mail, on invite and on a role grant that needs a second factor) stays usable, in hours.
    ENROLMENT_LINK_TTL_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(24),
    // How often Keycloak's login events (logins, failures, second-factor changes) are read into the audit log, in ms; 0 turns it off.
    KEYCLOAK_EVENTS_POLL_MS: z.coerce.number().int().min(0).default(10_000),
  })
  .superRefine(checkNatsCredentials)
  // In production: no demo secret, none missing (decision 18).
  .superRefine(productionSecrets({ required: ['KEYCLOAK_ADMIN_CLIENT_SECRET', 'VENDOR_LINK_SIGNING_KEY'], urls: ['DATABASE_URL'], nats: true }))
  .transform((e) => ({
    ...e,
    VENDOR_LINK_BASE_URL: (e.VENDOR_LINK_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    KEYCLOAK_ISSUER: e.KEYCLOAK_ISSUER ?? `${e.KEYCLOAK_URL.replace(/\/$/, '')}/realms/${e.KEYCLOAK_REALM}`,
    JWKS_URL: `${e.KEYCLOAK_URL.replace(/\/$/, '')}/realms/${e.KEYCLOAK_REALM}/protocol/openid-connect/certs`,
  }));
export type IdentityEnv = z.infer<typeof identityEnvSchema>;
