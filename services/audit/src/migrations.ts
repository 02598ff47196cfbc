import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createSql, migrate, type Logger, type Sql } from '@tierline/platform';
import { AUDIT_SCHEMA } from './db.js';

export const MIGRATIONS_PATH = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Applies the audit schema's migrations as an administrator: a login that may create roles and
 * give objects to tierline_audit_owner (docs/decisions/0021). Never the service's own login.
 */
export async function migrateAudit(adminUrl: string, opts: { schema?: string; logger?: Logger } = {}): Promise<string[]> {
  const schema = opts.schema ?? AUDIT_SCHEMA;
  const sql = createSql(adminUrl, schema, 1);
  try {
    return await migrate(sql, { schema, dir: MIGRATIONS_PATH, ...(opts.logger ? { logger: opts.logger } : {}) });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * The service's own login cannot migrate (it owns nothing), so at start-up it only checks that
 * an administrator did: every migration file is recorded in schema_migrations.
 */
export async function assertMigrated(sql: Sql): Promise<void> {
  const files = (await readdir(MIGRATIONS_PATH)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f));
  const want = Math.max(0, ...files.map((f) => Number(f.split('_')[0])));
  const got = await sql<{ v: number | null }[]>`select max(version) as v from schema_migrations`.then(
    (r) => r[0]?.v ?? 0,
    () => 0,
  );
  if (got < want) {
    throw new Error(
      `the audit schema is at migration ${got}, this build needs ${want}: run "tierline-audit migrate --database-url <administrator URL>" (or set AUDIT_MIGRATION_DATABASE_URL)`,
    );
  }
}
