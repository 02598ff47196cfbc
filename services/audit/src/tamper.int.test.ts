import { beforeEach, describe, expect, it } from 'vitest';
import { chainHash, GENESIS_HASH } from './chain.js';
import { createCheckpoint } from './repo.js';
import { createSigner, generateSigningKey } from './signing.js';
import { api, auditTest, tamper, tokenOf, type AuditHarness } from './test/harness.js';

/**
 * An attacker with database administrator rights switches the append-only triggers off and
 * changes the log. The API's verify must notice every kind of change and name the row.
 */
const test = auditTest('audittamper', { http: true });

describe('verify catches tampering on the real PostgreSQL', () => {
  let h: AuditHarness;
  let verify: (anchors?: unknown[]) => Promise<{ ok: boolean; firstBrokenSeq?: number; reason?: string; rowsChecked: number }>;

  test.beforeAll(async ({ audit }) => {
    h = audit;
    const token = await tokenOf('audrey.auditor');
    verify = async (anchors) => {
      const res = await api(h.baseUrl, token)('POST', '/api/v1/audit/verify', anchors ? { anchors } : undefined);
      expect(res.status, res.text).toBe(200);
      return res.body;
    };
  });

  // Every test starts from the same intact chain: 10 rows, checkpoints at rows 4 and 10.
  beforeEach(async () => {
    await tamper(h.owner, (tx) => tx`truncate audit_log, audit_checkpoints restart identity`);
    await h.append(4);
    await createCheckpoint(h.sql, h.signer);
    await h.append(6);
    await createCheckpoint(h.sql, h.signer);
  });

  it('reports an intact chain as intact', async () => {
    expect(await verify()).toMatchObject({ ok: true, rowsChecked: 10, checkpointsChecked: 2 });
  });

  it("an edited row's content", async () => {
    await tamper(h.owner, (tx) => tx`update audit_log set content = replace(content, '"schemaVersion":1', '"schemaVersion":2') where seq = 6`);
    const report = await verify();
    expect(report, JSON.stringify(report)).toMatchObject({ ok: false, firstBrokenSeq: 6 });
    expect(report.reason).toMatch(/row 6 was altered: its content does not hash/);
  });

  it("an edited row's indexed column (hidden from a ticket's history)", async () => {
    await tamper(h.owner, (tx) => tx`update audit_log set ticket_id = null where seq = 4`);
    const report = await verify();
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    expect(report.reason).toMatch(/row 4 was altered: its ticket_id column/);
  });

  it('a deleted row', async () => {
    await tamper(h.owner, (tx) => tx`delete from audit_log where seq = 3`);
    const report = await verify();
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 3 });
    expect(report.reason).toMatch(/row 3 is missing: row 4 follows row 2/);
  });

  it('a deleted row with the rows after it renumbered to hide the gap', async () => {
    await tamper(h.owner, async (tx) => {
      await tx`delete from audit_log where seq = 3`;
      await tx`update audit_log set seq = -(seq - 1) where seq > 3`;
      await tx`update audit_log set seq = -seq where seq < 0`;
    });
    const report = await verify();
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 3 });
    expect(report.reason).toMatch(/row 3 does not link to row 2/);
  });

  it('two rows reordered', async () => {
    await tamper(h.owner, async (tx) => {
      await tx`update audit_log set seq = -1 where seq = 7`;
      await tx`update audit_log set seq = 7 where seq = 8`;
      await tx`update audit_log set seq = 8 where seq = -1`;
    });
    const report = await verify();
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 7 });
    expect(report.reason).toMatch(/row 7 does not link to row 6/);
  });

  it('the tail truncated behind the latest signed checkpoint', async () => {
    await tamper(h.owner, (tx) => tx`delete from audit_log where seq > 7`);
    const report = await verify();
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 8 });
    expect(report.reason).toMatch(/chain ends at row 7, but checkpoint #2 .*covers row 10: rows 8–10 were removed/);
  });

  it('a forged checkpoint (signature not by the audit key)', async () => {
    const forger = createSigner(generateSigningKey());
    const [row] = await h.owner<{ hash: string }[]>`select hash from audit_log where seq = 9`;
    const forged = forger.sign({ seq: 9, hash: row!.hash, signedAt: new Date().toISOString() });
    // The forger even claims the real key id.
    await h.sql`insert into audit_checkpoints (seq, hash, signed_at, key_id, signature)
      values (9, ${forged.hash}, ${forged.signedAt}, ${h.signer.keyId}, ${forged.signature})`;
    const report = await verify();
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 9 });
    expect(report.reason).toMatch(/checkpoint #3 \(row 9, .*\) has an invalid signature/);
  });

  it('a checkpoint edited to cover a different row', async () => {
    await tamper(h.owner, (tx) => tx`update audit_checkpoints set seq = 5 where id = 1`);
    const report = await verify();
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 5 });
    expect(report.reason).toMatch(/invalid signature/);
  });

  it('a history rewritten with every hash recomputed: the signed checkpoint names where', async () => {
    await tamper(h.owner, async (tx) => {
      const rows = await tx<{ seq: string; content: string }[]>`select seq, content from audit_log order by seq`;
      let prev = GENESIS_HASH;
      for (const r of rows) {
        const content = Number(r.seq) === 6 ? r.content.replace('"schemaVersion":1', '"schemaVersion":2') : r.content;
        const hash = chainHash(prev, Number(r.seq), content);
        await tx`update audit_log set content = ${content}, prev_hash = ${prev}, hash = ${hash} where seq = ${r.seq}`;
        prev = hash;
      }
    });
    const report = await verify();
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 10 });
    expect(report.reason).toMatch(/rows 5–10 were rewritten and re-hashed/);
  });
});
