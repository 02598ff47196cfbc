import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { migrate } from '@tierline/platform';
import { createCheckpoint } from './repo.js';
import { auditTest, MIGRATIONS_DIR, WRITER_ROLE, type AuditHarness } from './test/harness.js';

/** The database itself refuses changes to the audit tables, whoever asks. */
const test = auditTest('auditinsertonly');

describe('insert-only audit tables on the real PostgreSQL', () => {
  let h: AuditHarness;

  test.beforeAll(async ({ audit }) => {
    h = audit;
    await h.append(3);
    await createCheckpoint(h.sql, h.signer);
  });

  it('lets the writer role append and read', async () => {
    const [row] = await h.sql<{ user: string; n: number }[]>`select current_user as user, (select count(*)::int from audit_log) as n`;
    expect(row).toEqual({ user: WRITER_ROLE, n: 3 });
  });

  for (const [table, change] of [
    ['audit_log', `update audit_log set content = '{}' where seq = 2`],
    ['audit_log', `delete from audit_log where seq = 3`],
    ['audit_log', `truncate audit_log`],
    ['audit_checkpoints', `update audit_checkpoints set seq = 1`],
    ['audit_checkpoints', `delete from audit_checkpoints`],
    ['audit_checkpoints', `truncate audit_checkpoints`],
  ] as const) {
    const op = change.split(' ')[0]!.toUpperCase();
    it(`refuses ${op} on ${table} even for the superuser owner, by trigger`, async () => {
      const err = await h.owner.unsafe(change).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toBe(`audit table audit.${table} is append-only: ${op} refused`);
    });

    it(`refuses ${op} on ${table} to the writer role, by privilege`, async () => {
      const err = await h.sql.unsafe(change).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(new RegExp(`permission denied for table ${table}`));
    });
  }

  it('leaves every row in place after all those attempts', async () => {
    const [row] = await h.owner<{ rows: number; cps: number; untouched: boolean }[]>`
      select (select count(*)::int from audit_log) as rows, (select count(*)::int from audit_checkpoints) as cps,
             (select content <> '{}' from audit_log where seq = 2) as untouched`;
    expect(row).toEqual({ rows: 3, cps: 1, untouched: true });
  });

  it('does not let the writer switch the trigger off', async () => {
    const err = await h.sql`alter table audit_log disable trigger audit_log_append_only`.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/must be owner of table audit_log/);
  });

  it('migrates again as a no-op, with the cluster-wide role already present', async () => {
    expect(await migrate(h.owner, { schema: 'audit', dir: MIGRATIONS_DIR })).toEqual([]);
    const [role] = await h.owner<{ rolcanlogin: boolean }[]>`select rolcanlogin from pg_roles where rolname = ${WRITER_ROLE}`;
    expect(role).toEqual({ rolcanlogin: false });
  });

  it('cannot be logged into directly as the writer role (NOLOGIN)', async () => {
    const url = new URL(h.db.url);
    url.username = WRITER_ROLE;
    const direct = postgres(url.toString(), { max: 1, onnotice: () => undefined, connect_timeout: 5 });
    const err = await direct`select 1`.then(
      () => null,
      (e: unknown) => e as Error,
    );
    await direct.end();
    expect(err?.message).toMatch(/not permitted to log in|password authentication failed/);
  });
});
