// Ports of the local infrastructure (env overrides with defaults) and the connection env for Tierline services.
const num = (name, def) => {
  const v = process.env[name];
  return v && /^\d+$/.test(v) ? Number(v) : def;
};

export function ports() {
  return {
    pg: num('PG_PORT', 55432),
    nats: num('NATS_PORT', 4222),
    natsMonitor: num('NATS_MONITOR_PORT', 8222),
    temporal: num('TEMPORAL_PORT', 7233),
    temporalUi: num('TEMPORAL_UI_PORT', 8233),
    keycloak: num('KEYCLOAK_PORT', 8180),
    keycloakManagement: num('KEYCLOAK_MANAGEMENT_PORT', 9180),
    mailpitSmtp: num('MAILPIT_SMTP_PORT', 1025),
    mailpitUi: num('MAILPIT_UI_PORT', 8025),
    objectStore: num('OBJECT_STORE_PORT', 7070),
  };
}

/**
 * The dev passwords of the services' own database logins (infra/postgres/service-logins.sql);
 * packages/testing uses the same. A deployment sets its own (infra/docker/compose-secrets.mjs).
 */
export const DEV_DB_PASSWORDS = {
  ticket: 'ticket-db-dev-secret',
  identity: 'identity-db-dev-secret',
  notification: 'notification-db-dev-secret',
  audit: 'audit-db-dev-secret',
  worker: 'worker-db-dev-secret',
};

/**
 * The local object store (versitygw, infra/stack.mjs): its one account's dev credentials and the
 * attachments bucket, created when it starts. A deployment points S3_* at S3 or its own store.
 */
export const OBJECT_STORE = {
  accessKeyId: 'tierline-attachments',
  secretAccessKey: 'attachments-dev-secret',
  bucket: 'tierline-attachments',
  region: 'us-east-1',
};

/** DATABASE_URL of a service with its own login (`tierline_<service>`) on the local stack. */
export function serviceDatabaseUrl(service) {
  return `postgres://tierline_${service}:${DEV_DB_PASSWORDS[service]}@127.0.0.1:${ports().pg}/tierline`;
}

/** Connection settings for services talking to the local stack (demo credentials). */
export function infraEnv() {
  const p = ports();
  return {
    // The administrator login: the audit migrations, seeding and the tests' fixtures; every service
    // runs with its own login instead (scripts/apps.mjs, serviceDatabaseUrl()).
    DATABASE_URL: `postgres://tierline:tierline@127.0.0.1:${p.pg}/tierline`,
    NATS_URL: `nats://127.0.0.1:${p.nats}`,
    TEMPORAL_ADDRESS: `127.0.0.1:${p.temporal}`,
    TEMPORAL_NAMESPACE: 'tierline',
    KEYCLOAK_URL: `http://localhost:${p.keycloak}`,
    KEYCLOAK_REALM: 'tierline',
    SMTP_URL: `smtp://127.0.0.1:${p.mailpitSmtp}`,
    MAILPIT_URL: `http://127.0.0.1:${p.mailpitUi}`,
    S3_ENDPOINT: `http://127.0.0.1:${p.objectStore}`,
    S3_REGION: OBJECT_STORE.region,
    S3_BUCKET: OBJECT_STORE.bucket,
    S3_ACCESS_KEY_ID: OBJECT_STORE.accessKeyId,
    S3_SECRET_ACCESS_KEY: OBJECT_STORE.secretAccessKey,
  };
}
