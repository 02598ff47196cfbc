import { fileURLToPath } from 'node:url';
import { createSql, migrate, type Sql } from '@tierline/platform';
import { createTestDatabase, serviceLogin, type ServiceWithLogin } from '@tierline/testing';
import type { FixtureHooks } from './hooks.js';

export interface MigratedDatabaseOptions {
  /** A few letters of the database's name, to tell whose it is on the server. */
  label: string;
  /** The service's schema: migrated into, and first on the pool's search path. */
  schema: string;
  /** The service's migrations folder (a path or a file: URL). */
  migrations: string | URL;
  /**
   * Whose login the pool uses: the service's own `tierline_<service>` (decision 21), or, when
   * absent, the test server's administrator (what a test needs that reaches past the service's
   * rights, e.g. to read another schema's tables).
   */
  login?: ServiceWithLogin;
  /** The pool's size. */
  max?: number;
}

export interface MigratedDatabase {
  /** The administrator's URL of this database (for a second pool, or `serviceLogin`). */
  url: string;
  name: string;
  /** The pool, on the migrated schema. */
  sql: Sql;
}

/**
 * A fixture function: a fresh database on the real PostgreSQL, migrated as the service does at
 * start-up, dropped after. Meant for `{ scope: 'file' }`:
 * `test.extend('database', { scope: 'file' }, migratedDatabase({ … }))`.
 */
export function migratedDatabase(o: MigratedDatabaseOptions) {
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; none here
  return async ({}: object, { onCleanup }: FixtureHooks): Promise<MigratedDatabase> => {
    const db = await createTestDatabase(o.label);
    const sql = createSql(o.login ? await serviceLogin(o.login, db.url) : db.url, o.schema, o.max ?? 5);
    onCleanup(async () => {
      await sql.end();
      await db.drop();
    });
    const dir = typeof o.migrations === 'string' ? o.migrations : fileURLToPath(o.migrations);
    await migrate(sql, { schema: o.schema, dir });
    return { url: db.url, name: db.name, sql };
  };
}
