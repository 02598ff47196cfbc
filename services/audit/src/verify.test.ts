import { describe, expect, it } from 'vitest';
import { canonicalJson } from './chain.js';
import { createSigner, generateSigningKey, keyRing, type SignedCheckpoint } from './signing.js';
import { buildChain, rehash } from './test/fixtures.js';
import { verifyRows, type ChainRow } from './verify.js';

const signer = createSigner(generateSigningKey());
const ring = keyRing([signer.publicKey]);
const at = (rows: ChainRow[], seq: number): SignedCheckpoint =>
  signer.sign({ seq, hash: rows.find((r) => r.seq === seq)!.hash, signedAt: new Date(Date.UTC(2025, 0, 2, 0, 0, seq)).toISOString() });
const verify = (rows: ChainRow[], checkpoints: SignedCheckpoint[] = [], partial = false) => verifyRows(rows, { checkpoints, publicKeys: ring, partial });

describe('verify, intact chains', () => {
  it('accepts an untouched chain and counts rows and checkpoints', async () => {
    const rows = buildChain(10);
    const report = await verify(rows, [at(rows, 4), at(rows, 10)]);
    expect(report).toEqual({ ok: true, rowsChecked: 10, checkpointsChecked: 2, head: { seq: 10, hash: rows[9]!.hash }, partial: false });
  });

  it('accepts an empty log without checkpoints', async () => {
    expect(await verify([])).toMatchObject({ ok: true, rowsChecked: 0, head: null });
  });
});

describe('verify names the first broken row', () => {
  it('an edited row (content changed, hash left)', async () => {
    const rows = buildChain(8);
    const event = JSON.parse(rows[4]!.content) as { data: Record<string, unknown> };
    event.data['note'] = 'nothing happened here';
    rows[4]!.content = canonicalJson(event);
    const report = await verify(rows);
    expect(report, JSON.stringify(report)).toMatchObject({ ok: false, firstBrokenSeq: 5, rowsChecked: 5 });
    expect(report.reason).toMatch(/row 5 was altered: its content does not hash/);
  });

  it('an edited indexed column that the hash does not cover', async () => {
    const rows = buildChain(6);
    rows[2]!.columns!.eventType = 'ticket.commented';
    const report = await verify(rows);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 3 });
    expect(report.reason).toMatch(/row 3 was altered: its event_type column/);
  });

  it('a deleted row in the middle', async () => {
    const rows = buildChain(8).filter((r) => r.seq !== 4);
    const report = await verify(rows);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    expect(report.reason).toMatch(/row 4 is missing: row 5 follows row 3/);
  });

  it('a deleted first row', async () => {
    const report = await verify(buildChain(3).slice(1));
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 1 });
    expect(report.reason).toMatch(/row 1 is missing: row 2 follows the start of the chain/);
  });

  it('a deleted row whose successor was renumbered to close the gap', async () => {
    const rows = buildChain(6).filter((r) => r.seq !== 3);
    for (const r of rows) if (r.seq > 3) r.seq -= 1;
    const report = await verify(rows);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 3 });
    expect(report.reason).toMatch(/row 3 does not link to row 2/);
  });

  it('two rows swapped in place (seq values exchanged, as a database edit would)', async () => {
    const rows = buildChain(7);
    const [a, b] = [rows[3]!, rows[4]!];
    [a.seq, b.seq] = [b.seq, a.seq];
    const report = await verify([...rows].sort((x, y) => x.seq - y.seq));
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    expect(report.reason).toMatch(/row 4 does not link to row 3/);
  });

  it('two rows reordered in a file', async () => {
    const rows = buildChain(7);
    [rows[3], rows[4]] = [rows[4]!, rows[3]!];
    const report = await verify(rows);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    expect(report.reason).toMatch(/row 4 is missing: row 5 follows row 3/);
  });

  it('a duplicated row', async () => {
    const rows = buildChain(4);
    const report = await verify([...rows.slice(0, 3), rows[2]!, rows[3]!]);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    expect(report.reason).toMatch(/row 3 appears again/);
  });

  it('a truncated tail, behind the latest signed checkpoint', async () => {
    const rows = buildChain(10);
    const report = await verify(rows.slice(0, 7), [at(rows, 5), at(rows, 9)]);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 8, checkpoint: { seq: 9 } });
    expect(report.reason).toMatch(/chain ends at row 7, but checkpoint .*covers row 9: rows 8–9 were removed/);
  });

  it('a log emptied entirely, with a checkpoint left', async () => {
    const rows = buildChain(3);
    const report = await verify([], [at(rows, 3)]);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 1 });
  });

  it('a forged checkpoint: altered after signing', async () => {
    const rows = buildChain(6);
    const forged = { ...at(rows, 4), seq: 6, hash: rows[5]!.hash };
    const report = await verify(rows, [at(rows, 2), forged]);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 6, checkpoint: { seq: 6 } });
    expect(report.reason).toMatch(/invalid signature/);
  });

  it('a forged checkpoint: signed by a key the verifier does not trust', async () => {
    const rows = buildChain(6);
    const other = createSigner(generateSigningKey());
    const report = await verify(rows, [other.sign({ seq: 3, hash: rows[2]!.hash, signedAt: new Date().toISOString() })]);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 3 });
    expect(report.reason).toMatch(/not a known audit key/);
  });

  it('a history rewritten and re-hashed: only the checkpoint catches it, naming the range', async () => {
    const rows = buildChain(10);
    const cp = at(rows, 8);
    const edited = rows.map((r) => ({ ...r }));
    edited[4]!.content = edited[4]!.content.replace('event 5', 'event five');
    const rehashed = rehash(edited, 5);
    const report = await verify(rehashed, [at(rows, 3), cp]);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 8, checkpoint: { seq: 8 } });
    expect(report.reason).toMatch(/rows 4–8 were rewritten/);
  });

  it('reports the earliest of several problems', async () => {
    const rows = buildChain(10);
    const badSig = { ...at(rows, 9), signature: Buffer.alloc(64).toString('base64') };
    rows[2]!.content = rows[2]!.content.replace('event 3', 'event 33');
    const report = await verify(rows, [badSig]);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 3 });
  });
});

describe('verify in partial mode (filtered exports)', () => {
  it('accepts gaps, and still checks each row and the checkpoint rows present', async () => {
    const rows = buildChain(12);
    const subset = rows.filter((r) => r.seq % 3 === 0 || r.seq === 4);
    expect(await verify(subset, [at(rows, 12)], true)).toMatchObject({ ok: true, partial: true, rowsChecked: 5, checkpointsChecked: 1 });
  });

  it('still names an edited row', async () => {
    const rows = buildChain(12);
    const subset = rows.filter((r) => r.seq % 3 === 0);
    subset[1]!.content = subset[1]!.content.replace('event 6', 'event 7');
    expect(await verify(subset, [], true)).toMatchObject({ ok: false, firstBrokenSeq: 6 });
  });
});
