#!/usr/bin/env node
// Writes the env files that docker-compose.yml reads its secrets from (`env_file:`), one per
// container, into TIERLINE_SECRETS_DIR (default .data/compose-secrets, which git ignores):
//   node infra/docker/compose-secrets.mjs [--dir DIR] [--force]
// Every secret is random and generated here, once per deployment (decision 18): the PostgreSQL
// password, Keycloak's first admin, the Keycloak client secrets (which the production realm imports
// from keycloak.env through its ${TIERLINE_<CLIENT>_CLIENT_SECRET} placeholders), each NATS user's
// password (its bcrypt hash in nats.env for nats.production.conf), the Ed25519 signing keys and the
// provider stand-ins' tokens. None is a demo value; the services refuse those in production.
//
// Written once: when every file exists they are all kept. A partial set is refused, because the
// values must agree across files (a database password, a client secret on both ends); --force
// writes a complete new set — which a running deployment does not pick up by itself: PostgreSQL and
// Keycloak keep the password and client secrets of their first start (docs/deployment.md, "Secrets").
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { realmSecretVariables } from '../lib/realm.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const at = args.indexOf('--dir');
const dir = resolve(at >= 0 ? args[at + 1] : (process.env.TIERLINE_SECRETS_DIR ?? join(repo, '.data', 'compose-secrets')));
const force = args.includes('--force');

/** 32 random bytes as hex: no character that an env file, a URL or a shell needs escaped. */
const secret = () => randomBytes(32).toString('hex');

/** An Ed25519 private key as base64 of its PKCS8 PEM: one line, which an env file can hold. */
function ed25519Key() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return Buffer.from(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()).toString('base64');
}

const NATS_USERS = ['ticket', 'identity', 'notification', 'audit', 'worker', 'ops'];
/** The services' PostgreSQL logins tierline_<service> (infra/postgres/service-logins.sql, decision 21). */
const DB_LOGINS = ['ticket', 'identity', 'notification', 'audit', 'worker'];

function generate() {
  const pgPassword = secret();
  const databaseUrl = `postgres://tierline:${pgPassword}@postgres:5432/tierline`;
  // Each service's own login (infra/postgres/service-logins.sql), created by postgres' init; the
  // administrator's password above goes only to postgres, Temporal, Keycloak and audit-migrate.
  const dbPasswords = Object.fromEntries(DB_LOGINS.map((s) => [s, secret()]));
  const serviceDatabaseUrl = (s) => `postgres://tierline_${s}:${dbPasswords[s]}@postgres:5432/tierline`;
  const nats = Object.fromEntries(NATS_USERS.map((u) => [u, secret()]));
  // Cost 11, like the hashes of infra/nats/nats.conf.
  const natsHash = (u) => bcrypt.hashSync(nats[u], 11);
  const clientVars = realmSecretVariables(); // clientId -> TIERLINE_<CLIENT>_CLIENT_SECRET
  const clients = Object.fromEntries(Object.keys(clientVars).map((id) => [id, secret()]));
  const clientSecret = (id) => {
    if (!clients[id]) throw new Error(`infra/keycloak/tierline-realm.json has no confidential client "${id}"`);
    return clients[id];
  };
  // The stand-ins accept exactly the tokens the notification service sends (real ones come from Twilio and Slack).
  const twilioToken = secret();
  const slackToken = `xoxb-${secret()}`;

  // Values in single quotes are taken literally by Compose (no $-interpolation), which the bcrypt
  // hashes need; nats-server then reads the double-quoted hash as a string (see nats.production.conf).
  return {
    'postgres.env': {
      POSTGRES_PASSWORD: pgPassword,
      ...Object.fromEntries(DB_LOGINS.map((s) => [`${s.toUpperCase()}_DB_PASSWORD`, dbPasswords[s]])),
    },
    // temporal-sql-tool reads SQL_PASSWORD, the server's config template POSTGRES_PWD.
    'temporal.env': { POSTGRES_PWD: pgPassword, SQL_PASSWORD: pgPassword },
    'keycloak.env': {
      KC_DB_PASSWORD: pgPassword,
      KC_BOOTSTRAP_ADMIN_USERNAME: 'admin',
      KC_BOOTSTRAP_ADMIN_PASSWORD: secret(),
      // The realm import fills the clients' ${...} placeholders from these.
      ...Object.fromEntries(Object.entries(clientVars).map(([id, name]) => [name, clients[id]])),
    },
    'nats.env': Object.fromEntries(NATS_USERS.map((u) => [`NATS_${u.toUpperCase()}_PASSWORD_HASH`, `"${natsHash(u)}"`])),
    // For operators with the NATS CLI (docs/deployment.md, "SRE runbook"); no container reads it.
    'ops.env': { NATS_OPS_PASSWORD: nats['ops'] },
    'ticket.env': { DATABASE_URL: serviceDatabaseUrl('ticket'), NATS_PASSWORD: nats['ticket'] },
    'identity.env': {
      DATABASE_URL: serviceDatabaseUrl('identity'),
      NATS_PASSWORD: nats['identity'],
      KEYCLOAK_ADMIN_CLIENT_SECRET: clientSecret('tierline-identity'),
      VENDOR_LINK_SIGNING_KEY: ed25519Key(),
    },
    'notification.env': {
      DATABASE_URL: serviceDatabaseUrl('notification'),
      NATS_PASSWORD: nats['notification'],
      NOTIFICATION_CLIENT_SECRET: clientSecret('tierline-notification'),
      TWILIO_AUTH_TOKEN: twilioToken,
      SLACK_BOT_TOKEN: slackToken,
      // The key of the reply addresses' tokens (mail in, decision 36); newest first when rotating.
      REPLY_TOKEN_KEYS: secret(),
    },
    'provider-stubs.env': { TWILIO_AUTH_TOKEN: twilioToken, SLACK_BOT_TOKEN: slackToken },
    // Both audit replicas must sign checkpoints with the same key, so it cannot be generated per container.
    'audit.env': { DATABASE_URL: serviceDatabaseUrl('audit'), NATS_PASSWORD: nats['audit'], AUDIT_SIGNING_KEY: ed25519Key() },
    // The one-shot migration job of the audit schema: the administrator, never given to the service.
    'audit-migrate.env': { AUDIT_MIGRATION_DATABASE_URL: databaseUrl },
    'worker.env': { DATABASE_URL: serviceDatabaseUrl('worker'), NATS_PASSWORD: nats['worker'] },
  };
}

const NAMES = ['postgres.env', 'temporal.env', 'keycloak.env', 'nats.env', 'ops.env', 'ticket.env', 'identity.env',
  'notification.env', 'provider-stubs.env', 'audit.env', 'audit-migrate.env', 'worker.env'];
const present = NAMES.filter((n) => existsSync(join(dir, n)));
if (!force && present.length === NAMES.length) {
  console.log(`kept    all ${NAMES.length} files (they exist; --force writes a new set)`);
  console.log(`secrets in ${dir}`);
  process.exit(0);
}
if (!force && present.length > 0) {
  const missing = NAMES.filter((n) => !present.includes(n));
  console.error(`${dir} holds ${present.join(', ')} but not ${missing.join(', ')}: the secrets must agree across files, so`
    + ' none is written. Restore the missing files, or write a new set with --force (docs/deployment.md, "Secrets").');
  process.exit(1);
}

const files = generate();
if (Object.keys(files).sort().join() !== [...NAMES].sort().join()) throw new Error('compose-secrets.mjs: NAMES and the generated files differ');
mkdirSync(dir, { recursive: true, mode: 0o700 });
for (const [name, vars] of Object.entries(files)) {
  const body = Object.entries(vars).map(([k, v]) => `${k}='${v}'`).join('\n');
  writeFileSync(join(dir, name), `# Generated by infra/docker/compose-secrets.mjs for this deployment only; keep it secret.\n${body}\n`, { mode: 0o600 });
  console.log(`wrote   ${name}`);
}
console.log(`secrets in ${dir}`);
