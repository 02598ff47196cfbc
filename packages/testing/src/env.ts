/**
 * Where the real servers of the test run are. `npm test` starts them (infra/stack.mjs) and
 * exports these; the defaults match that runner, so a developer can also run one file by hand.
 */
export function testEnv() {
  const e = process.env;
  const pg = e.PG_PORT ?? '55432';
  const kc = e.KEYCLOAK_URL ?? `http://localhost:${e.KEYCLOAK_PORT ?? '8180'}`;
  const realm = e.KEYCLOAK_REALM ?? 'tierline';
  return {
    databaseUrl: e.DATABASE_URL ?? `postgres://tierline:tierline@127.0.0.1:${pg}/tierline`,
    natsUrl: e.NATS_URL ?? `nats://127.0.0.1:${e.NATS_PORT ?? '4222'}`,
    temporalAddress: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_PORT ?? '7233'}`,
    temporalNamespace: e.TEMPORAL_NAMESPACE ?? 'tierline',
    keycloakUrl: kc,
    realm,
    issuer: e.KEYCLOAK_ISSUER ?? `${kc}/realms/${realm}`,
    jwksUrl: `${kc}/realms/${realm}/protocol/openid-connect/certs`,
    mailpitUrl: e.MAILPIT_URL ?? `http://127.0.0.1:${e.MAILPIT_UI_PORT ?? '8025'}`,
    smtpUrl: e.SMTP_URL ?? `smtp://127.0.0.1:${e.MAILPIT_SMTP_PORT ?? '1025'}`,
  };
}
