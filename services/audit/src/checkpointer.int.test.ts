import { describe, expect, it } from 'vitest';
import { startCheckpointer } from './checkpointer.js';
import { verifyDatabase } from './repo.js';
import { keyRing } from './signing.js';
import { auditTest, type AuditHarness } from './test/harness.js';

// Generous: on a loaded 2-core CI machine PostgreSQL can be slow to answer; the check itself is exact.
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const test = auditTest('auditcheckpointer');

describe('periodic checkpoints on the real PostgreSQL', () => {
  let h: AuditHarness;

  test.beforeAll(({ audit }) => {
    h = audit;
  });

  // The checkpointer signs the first head it sees (no checkpoint yet), then only once `everyRows`
  // rows were appended since the last one. The appends therefore never race its ticks: whether a
  // tick runs between two appends (as on a loaded machine) or not, the checkpoints are exact.
  it('signs checkpoints on its own once enough rows arrived, and once more on stop', { timeout: 90_000 }, async () => {
    const latestSeq = async () => {
      const [row] = await h.sql<{ seq: string }[]>`select seq from audit_checkpoints order by id desc limit 1`;
      return row ? Number(row.seq) : 0;
    };
    await h.append(1);
    const checkpointer = startCheckpointer({ sql: h.sql, signer: h.signer, logger: h.logger, policy: { everyRows: 3, everyMs: 3_600_000, tickMs: 50 } });
    try {
      await eventually('the first checkpoint, of the first head', async () => ((await latestSeq()) === 1 ? true : undefined));
      await h.append(3);
      await eventually('a periodic checkpoint three rows later', async () => ((await latestSeq()) > 1 ? true : undefined));
      // Signed exactly when the third row arrived: none in between (two rows behind is not due).
      const seqs = await h.sql<{ seq: string }[]>`select seq from audit_checkpoints order by id`;
      expect(seqs.map((r) => Number(r.seq))).toEqual([1, 4]);
      await h.append(1);
    } finally {
      await checkpointer.stop();
    }
    const [last] = await h.sql<{ cp: string; head: string }[]>`
      select (select max(seq) from audit_checkpoints) as cp, (select max(seq) from audit_log) as head`;
    expect(last!.cp).toBe(last!.head);
    expect(Number(last!.head)).toBe(5);
    expect(await verifyDatabase(h.sql, { publicKeys: keyRing([h.signer.publicKey]) })).toMatchObject({ ok: true, checkpointsChecked: 3 });
  });
  it('does not sign again while the head has not moved', async () => {
    const before = await h.sql<{ n: number }[]>`select count(*)::int as n from audit_checkpoints`;
    const checkpointer = startCheckpointer({ sql: h.sql, signer: h.signer, logger: h.logger, policy: { everyRows: 1, everyMs: 1, tickMs: 20 } });
    await new Promise((r) => setTimeout(r, 200));
    await checkpointer.stop();
    const after = await h.sql<{ n: number }[]>`select count(*)::int as n from audit_checkpoints`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});
