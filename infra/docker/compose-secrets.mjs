#!/usr/bin/env node
// Writes the env files that docker-compose.yml reads its secrets from (`env_file:`), one per
// container, into TIERLINE_SECRETS_DIR (default .data/compose-secrets, which git ignores):
//   node infra/docker/compose-secrets.mjs [--dir DIR] [--force]
// They are DEMO secrets: a fresh random PostgreSQL password and fresh Ed25519 signing keys, but the
// NATS passwords and Keycloak client secrets are the dev secrets (`<user>-dev-secret`), because the
// realm file and infra/nats/nats.conf carry exactly those. A real deployment writes its own values
// into the same files (docs/deployment.md, "Secrets") and changes them in Keycloak and NATS too.
// Existing files are kept (they may hold real secrets) unless --force is given.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const at = args.indexOf('--dir');
const dir = resolve(at >= 0 ? args[at + 1] : (process.env.TIERLINE_SECRETS_DIR ?? join(repo, '.data', 'compose-secrets')));
const force = args.includes('--force');

/** The bcrypt hashes of the dev NATS passwords, read from the demo configuration (one source). */
function devNatsHashes() {
  const conf = readFileSync(join(repo, 'infra', 'nats', 'nats.conf'), 'utf8');
  const hashes = {};
  for (const m of conf.matchAll(/\{\s*user:\s*([a-z]+),\s*password:\s*"([^"]+)"/g)) hashes[m[1]] = m[2];
  for (const user of ['ticket', 'identity', 'notification', 'audit', 'worker', 'ops']) {
    if (!hashes[user]) throw new Error(`infra/nats/nats.conf has no password hash for NATS user "${user}"`);
  }
  return hashes;
}

/** An Ed25519 private key as base64 of its PKCS8 PEM: one line, which an env file can hold. */
function ed25519Key() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return Buffer.from(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()).toString('base64');
}

// Hex only, so the password needs no escaping inside DATABASE_URL.
const pgPassword = randomBytes(24).toString('hex');
const databaseUrl = `postgres://tierline:${pgPassword}@postgres:5432/tierline`;
// The audit service's own login (infra/postgres/service-logins.sql), created by postgres' init.
const auditDbPassword = randomBytes(24).toString('hex');
const auditDatabaseUrl = `postgres://tierline_audit:${auditDbPassword}@postgres:5432/tierline`;
const nats = devNatsHashes();
const natsPassword = (user) => `${user}-dev-secret`;

// Values in single quotes are taken literally by Compose (no $-interpolation), which the bcrypt
// hashes need; nats-server then reads the double-quoted hash as a string (see nats.production.conf).
const files = {
  'postgres.env': { POSTGRES_PASSWORD: pgPassword, AUDIT_DB_PASSWORD: auditDbPassword },
  // temporal-sql-tool reads SQL_PASSWORD, the server's config template POSTGRES_PWD.
  'temporal.env': { POSTGRES_PWD: pgPassword, SQL_PASSWORD: pgPassword },
  'keycloak.env': { KC_DB_PASSWORD: pgPassword, KC_BOOTSTRAP_ADMIN_USERNAME: 'admin', KC_BOOTSTRAP_ADMIN_PASSWORD: randomBytes(12).toString('hex') },
  'nats.env': Object.fromEntries(
    ['ticket', 'identity', 'notification', 'audit', 'worker', 'ops'].map((u) => [`NATS_${u.toUpperCase()}_PASSWORD_HASH`, `"${nats[u]}"`]),
  ),
  'ticket.env': { DATABASE_URL: databaseUrl, NATS_PASSWORD: natsPassword('ticket') },
  'identity.env': {
    DATABASE_URL: databaseUrl,
    NATS_PASSWORD: natsPassword('identity'),
    KEYCLOAK_ADMIN_CLIENT_SECRET: 'tierline-identity-dev-secret',
    VENDOR_LINK_SIGNING_KEY: ed25519Key(),
  },
  'notification.env': {
    DATABASE_URL: databaseUrl,
    NATS_PASSWORD: natsPassword('notification'),
    NOTIFICATION_CLIENT_SECRET: 'tierline-notification-dev-secret',
    // The provider stand-ins accept these; real ones come from Twilio and Slack.
    TWILIO_AUTH_TOKEN: 'stub-auth-token',
    SLACK_BOT_TOKEN: 'xoxb-stub-token',
  },
  // Both audit replicas must sign checkpoints with the same key, so it cannot be generated per container.
  'audit.env': { DATABASE_URL: auditDatabaseUrl, NATS_PASSWORD: natsPassword('audit'), AUDIT_SIGNING_KEY: ed25519Key() },
  // The one-shot migration job of the audit schema: the administrator, never given to the service.
  'audit-migrate.env': { AUDIT_MIGRATION_DATABASE_URL: databaseUrl },
  'worker.env': { DATABASE_URL: databaseUrl, NATS_PASSWORD: natsPassword('worker') },
};

mkdirSync(dir, { recursive: true, mode: 0o700 });
for (const [name, vars] of Object.entries(files)) {
  const path = join(dir, name);
  if (existsSync(path) && !force) {
    console.log(`kept    ${name} (exists; --force overwrites)`);
    continue;
  }
  const body = Object.entries(vars).map(([k, v]) => `${k}='${v}'`).join('\n');
  writeFileSync(path, `# Demo secrets written by infra/docker/compose-secrets.mjs; replace for real use.\n${body}\n`, { mode: 0o600 });
  console.log(`wrote   ${name}`);
}
console.log(`secrets in ${dir}`);
