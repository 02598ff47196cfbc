import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import postgres, { type Sql } from 'postgres';
import type { Logger } from './logger.js';

export type { Sql };

/** One pool per process, with the service's own schema first on the search path. */
export function createSql(url: string, schema: string, max = 10): Sql {
  return postgres(url, {
    max,
    onnotice: () => undefined,
    connection: { search_path: schema, application_name: `tierline-${schema}` },
    transform: { undefined: null },
  });
}

const MIGRATION_FILE = /^(\d+)_([\w-]+)\.sql$/;

/**
 * Applies forward-only numbered migrations (`001_init.sql`, …) from `dir` into `schema`.
 * All of it runs in one transaction under an advisory lock, so two instances starting at once
 * apply each migration exactly once, and a failed migration leaves nothing half-done.
 */
export async function migrate(sql: Sql, opts: { schema: string; dir: string; logger?: Logger }): Promise<string[]> {
  const files = (await readdir(opts.dir)).filter((f) => MIGRATION_FILE.test(f)).sort();
  const seen = new Set<number>();
  for (const f of files) {
    const v = Number(MIGRATION_FILE.exec(f)![1]);
    if (seen.has(v)) throw new Error(`two migrations share number ${v} in ${opts.dir}`);
    seen.add(v);
  }
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${`tierline-migrate:${opts.schema}`}))`;
    // A service's own login may not create schemas; infra/postgres/service-logins.sql made its
    // schema, owned by the service's NOLOGIN owner role (docs/decisions/0021).
    const [existing] = await tx<{ owner: string; member: boolean }[]>`
      select pg_get_userbyid(nspowner) as owner, pg_has_role(current_user, nspowner, 'MEMBER') as member
      from pg_namespace where nspname = ${opts.schema}`;
    if (!existing) await tx`create schema ${tx(opts.schema)}`;
    // Everything the migrations create belongs to the schema's owner, whoever applies them.
    else if (existing.member) await tx.unsafe(`set local role "${existing.owner.replace(/"/g, '""')}"`);
    await tx.unsafe(`set local search_path to "${opts.schema}"`);
    await tx`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`;
    const done = new Set((await tx<{ version: number }[]>`select version from schema_migrations`).map((r) => r.version));
    const applied: string[] = [];
    for (const f of files) {
      const [, num, name] = MIGRATION_FILE.exec(f)!;
      const version = Number(num);
      if (done.has(version)) continue;
      await tx.unsafe(await readFile(join(opts.dir, f), 'utf8'));
      await tx`insert into schema_migrations (version, name) values (${version}, ${name!})`;
      applied.push(f);
    }
    if (applied.length > 0) opts.logger?.info({ schema: opts.schema, applied }, 'migrations applied');
    return applied;
  });
}
