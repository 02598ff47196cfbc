import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import postgres from 'postgres';
import { testEnv } from './env.js';

/**
 * A fresh, empty database on the real PostgreSQL for one test file, so files never see each
 * other's rows. `drop()` removes it.
 */
export async function createTestDatabase(label = 'test'): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const adminUrl = testEnv().databaseUrl;
  const name = `t_${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const a = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** The dev and test password of each service's database login (a deployment sets its own). */
export const SERVICE_DB_PASSWORDS = {
  audit: 'audit-db-dev-secret',
  ticket: 'ticket-db-dev-secret',
  identity: 'identity-db-dev-secret',
  notification: 'notification-db-dev-secret',
  worker: 'worker-db-dev-secret',
} as const;
export type ServiceWithLogin = keyof typeof SERVICE_DB_PASSWORDS;

const SERVICE_LOGINS_SQL = new URL('../../../infra/postgres/service-logins.sql', import.meta.url);

/**
 * Creates (idempotently) the services' database logins and owner roles on the test server, and
 * the services' schemas and the worker's grants in `url`'s database, from the same
 * infra/postgres/service-logins.sql the dev stack and docker-compose run, and returns `url` with
 * the login of `service` in it: what that service's DATABASE_URL is everywhere.
 */
export async function serviceLogin(service: ServiceWithLogin, url: string): Promise<string> {
  const script = (await readFile(SERVICE_LOGINS_SQL, 'utf8')).replace(/:'([a-z_]+)'/g, (_, name: string) => {
    const svc = name.replace(/_password$/, '') as ServiceWithLogin;
    const pw = SERVICE_DB_PASSWORDS[svc];
    if (!pw) throw new Error(`service-logins.sql wants a variable ${name} that the tests do not know`);
    return `'${pw.replace(/'/g, "''")}'`;
  });
  const adminUrl = new URL(testEnv().databaseUrl);
  adminUrl.pathname = new URL(url).pathname;
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(script);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.username = `tierline_${service}`;
  u.password = SERVICE_DB_PASSWORDS[service];
  return u.toString();
}
