/**
 * Where the real servers of the test run are. `npm test` starts them (infra/stack.mjs) and
 * exports these; the defaults match that runner, so a developer can also run one file by hand.
 */
export function testEnv() {
  const e = process.env;
  const pg = e.PG_PORT ?? '55432';
  const kc = e.KEYCLOAK_URL ?? `http://localhost:${e.KEYCLOAK_PORT ?? '8180'}`;
  const realm = e.KEYCLOAK_REALM ?? 'tierline';
  const natsServers = e.NATS_URL ?? `nats://127.0.0.1:${e.NATS_PORT ?? '4222'}`;
  // Tests log in to NATS as the `tests` user (infra/nats/nats.conf), whose rights are broad because
  // test code plays every service; NATS_USER / NATS_PASSWORD name another one (or credentials in NATS_URL).
  const natsUser = e.NATS_USER ?? 'tests';
  const natsPassword = e.NATS_PASSWORD ?? 'tests-dev-secret';
  return {
    databaseUrl: e.DATABASE_URL ?? `postgres://tierline:tierline@127.0.0.1:${pg}/tierline`,
    /** NATS servers with the test user's credentials in them (connectNats reads them from there). */
    natsUrl: withNatsCredentials(natsServers, natsUser, natsPassword),
    /** The same servers without credentials, for tests that log in as someone else (or no one). */
    natsServers: natsServers.split(',').map((u) => u.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1')).join(','),
    temporalAddress: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_PORT ?? '7233'}`,
    temporalNamespace: e.TEMPORAL_NAMESPACE ?? 'tierline',
    keycloakUrl: kc,
    realm,
    issuer: e.KEYCLOAK_ISSUER ?? `${kc}/realms/${realm}`,
    jwksUrl: `${kc}/realms/${realm}/protocol/openid-connect/certs`,
    mailpitUrl: e.MAILPIT_URL ?? `http://127.0.0.1:${e.MAILPIT_UI_PORT ?? '8025'}`,
    smtpUrl: e.SMTP_URL ?? `smtp://127.0.0.1:${e.MAILPIT_SMTP_PORT ?? '1025'}`,
    /** The S3-compatible object store (versitygw, infra/stack.mjs) and its dev account (infra/lib/env.mjs OBJECT_STORE). */
    objectStore: {
      endpoint: e.S3_ENDPOINT ?? `http://127.0.0.1:${e.OBJECT_STORE_PORT ?? '7070'}`,
      region: e.S3_REGION ?? 'us-east-1',
      bucket: e.S3_BUCKET ?? 'tierline-attachments',
      forcePathStyle: true,
      accessKeyId: e.S3_ACCESS_KEY_ID ?? 'tierline-attachments',
      secretAccessKey: e.S3_SECRET_ACCESS_KEY ?? 'attachments-dev-secret',
    },
  };
}

/** `nats://host:port,…` with `user:password@` in each URL that has no credentials yet. */
function withNatsCredentials(servers: string, user: string, password: string): string {
  const userinfo = `${encodeURIComponent(user)}:${encodeURIComponent(password)}@`;
  return servers
    .split(',')
    .map((u) => u.trim())
    .map((u) => (/^[a-z]+:\/\/[^@/]*@/i.test(u) ? u : u.replace(/^([a-z]+:\/\/)?/i, (scheme) => `${scheme || 'nats://'}${userinfo}`)))
    .join(',');
}
