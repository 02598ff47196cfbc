import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@tierline/testing';
import { createSql, migrate } from './db.js';

describe('migrate (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase('migrate');
    dir = await mkdtemp(join(tmpdir(), 'mig-'));
    await writeFile(join(dir, '001_things.sql'), 'create table things (id int primary key);');
    await writeFile(join(dir, '002_more.sql'), 'alter table things add column name text;');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('applies each migration once, even with two instances starting at the same moment', async () => {
    const a = createSql(db.url, 'svc', 2);
    const b = createSql(db.url, 'svc', 2);
    const [ra, rb] = await Promise.all([migrate(a, { schema: 'svc', dir }), migrate(b, { schema: 'svc', dir })]);
    expect([...ra, ...rb].sort()).toEqual(['001_things.sql', '002_more.sql']);
    expect(await migrate(a, { schema: 'svc', dir })).toEqual([]);
    const cols = await a`select column_name from information_schema.columns where table_schema = 'svc' and table_name = 'things' order by column_name`;
    expect(cols.map((c) => c.column_name)).toEqual(['id', 'name']);
    await a.end();
    await b.end();
  });

  it('leaves nothing half-done when a migration fails', async () => {
    await writeFile(join(dir, '003_bad.sql'), 'create table ok_then (id int); select * from no_such_table;');
    const s = createSql(db.url, 'svc', 1);
    await expect(migrate(s, { schema: 'svc', dir })).rejects.toThrow(/no_such_table/);
    const t = await s`select to_regclass('svc.ok_then') as t`;
    expect(t[0]!.t).toBeNull();
    await s.end();
  });
});
