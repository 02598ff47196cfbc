import { z } from 'zod';
import { baseEnvSchema, checkNatsCredentials, databaseUrl, httpUrl, natsPassword, natsUrl, natsUser, port, productionSecrets } from '@tierline/platform';

export const auditEnvSchema = baseEnvSchema
  .extend({
    // Where the HTTP API (health, query, export, verify) listens.
    PORT: port.default(3004),
    HOST: z.string().default('127.0.0.1'),
    // The audit service's own login, tierline_audit (infra/postgres/service-logins.sql): owns
    // nothing, may only read and append (a member of tierline_audit_writer).
    DATABASE_URL: databaseUrl,
    // An administrator login that applies the migrations at start-up (the tables go to the NOLOGIN
    // tierline_audit_owner). Unset: `tierline-audit migrate` must have run before (the dev stack
    // and docker-compose do that, so no administrator password reaches the service).
    AUDIT_MIGRATION_DATABASE_URL: databaseUrl.optional(),
    // Role the service's connections switch to (SET ROLE): SELECT and INSERT only. Empty
    // disables the switch (e.g. a login that already is exactly the writer).
    AUDIT_DB_ROLE: z
      .string()
      .regex(/^$|^[a-z_][a-z0-9_]*$/, 'must be a plain role name or empty')
      .default('tierline_audit_writer'),
    // JetStream holding every event Tierline publishes.
    NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
    // Who this process is to NATS, user "audit" in infra/nats/nats.conf: its permissions allow only reading events, never publishing.
    NATS_USER: natsUser,
    // That user's password: the local stack passes the dev secret "audit-dev-secret"; a deployment, its own.
    NATS_PASSWORD: natsPassword,
    // Durable consumer name; replicas share it so each event is handled once.
    AUDIT_DURABLE: z.string().min(1).default('audit'),
    // Ed25519 private key signing checkpoints: PKCS8 PEM, or base64 of PKCS8 PEM/DER. Required in
    // production (replicas sign with one key); elsewhere, when unset, a key is generated once into
    // AUDIT_SIGNING_KEY_FILE (a loud warning is logged).
    AUDIT_SIGNING_KEY: z.string().min(1).optional(),
    // Where that generated key lives; default <TIERLINE_DATA_DIR or ./.data>/audit/signing-key.pem.
    AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
    TIERLINE_DATA_DIR: z.string().min(1).optional(),
    // Public keys of earlier signing keys (PEM or base64 SPKI DER, separated by ";"), so
    // checkpoints signed before a key rotation still verify.
    AUDIT_RETIRED_PUBLIC_KEYS: z.string().optional(),
    // Checkpoint policy: sign the head after this many new rows...
    AUDIT_CHECKPOINT_EVERY_ROWS: z.coerce.number().int().positive().default(200),
    // ...or when it moved and the last checkpoint is older than this many milliseconds. Each
    // checkpoint is also anchored in the JetStream stream TIERLINE_AUDIT_CHECKPOINTS; rows not
    // anchored within this interval + AUDIT_ANCHOR_SLACK_MS make verify fail.
    AUDIT_CHECKPOINT_EVERY_MS: z.coerce.number().int().positive().default(10_000),
    // How late an anchored checkpoint may be (slow database, NATS briefly away) before verify
    // reports the unanchored rows.
    AUDIT_ANCHOR_SLACK_MS: z.coerce.number().int().nonnegative().default(60_000),
    // Exports and verifications per IT lead or auditor and minute: each reads the whole log.
    AUDIT_EXPORT_RATE_LIMIT: z.coerce.number().int().positive().default(30),
    // Keycloak base URL the service reaches (JWKS); may be an internal address.
    KEYCLOAK_URL: httpUrl.default('http://localhost:8180'),
    KEYCLOAK_REALM: z.string().min(1).default('tierline'),
    // The `iss` browsers' tokens carry; defaults to KEYCLOAK_URL/realms/KEYCLOAK_REALM.
    KEYCLOAK_ISSUER: httpUrl.optional(),
    // This service's audience: tokens not meant for it are refused.
    TOKEN_AUDIENCE: z.string().min(1).default('tierline-audit'),
  })
  .superRefine(checkNatsCredentials)
  // In production: no demo secret, none missing (decision 18).
  .superRefine(productionSecrets({ required: ['AUDIT_SIGNING_KEY'], urls: ['DATABASE_URL', 'AUDIT_MIGRATION_DATABASE_URL'], nats: true }))
  .transform((e) => ({
    ...e,
    KEYCLOAK_ISSUER: e.KEYCLOAK_ISSUER ?? `${e.KEYCLOAK_URL.replace(/\/$/, '')}/realms/${e.KEYCLOAK_REALM}`,
    JWKS_URL: `${e.KEYCLOAK_URL.replace(/\/$/, '')}/realms/${e.KEYCLOAK_REALM}/protocol/openid-connect/certs`,
    AUDIT_SIGNING_KEY_FILE: e.AUDIT_SIGNING_KEY_FILE ?? `${e.TIERLINE_DATA_DIR ?? '.data'}/audit/signing-key.pem`,
  }));
export type AuditEnv = z.infer<typeof auditEnvSchema>;
