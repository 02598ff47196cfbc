/**
 * Append and verify throughput of the audit chain on the local PostgreSQL, in a temporary
 * database that is dropped afterwards. Not part of `npm test`.
 *
 *   npm run bench -w @tierline/audit -- [--rows 100000] [--append 3000] [--concurrency 1,8]
 *
 * - append: events/s through appendEvent (the consumer's path: one transaction per event,
 *   serialised by the chain lock), run sequentially and with N concurrent appenders.
 * - fill: the rest of the rows up to --rows, hashed in process and inserted in batches (not the
 *   service path; only there to reach a large chain quickly).
 * - verify: verifyDatabase over the whole chain (the API's and the CLI's code), and the JSONL
 *   export of the same rows verified from a file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createSql, migrate } from '@tierline/platform';
import { createTestDatabase, serviceLogin } from '@tierline/testing';
import { canonicalJson, chainHash, GENESIS_HASH } from '../src/chain.js';
import { createAuditSql } from '../src/db.js';
import { exportLine, trailerLine } from '../src/export-format.js';
import { verifyExportFile } from '../src/export-format.js';
import { createCheckpoint, latestCheckpoint, streamRows, verifyDatabase } from '../src/repo.js';
import { createSigner, generateSigningKey, keyRing } from '../src/signing.js';
import { appendEvent } from '../src/store.js';
import { sampleEvent } from '../src/test/fixtures.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    append: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '1,8' },
  },
});
const totalRows = Number(values.rows);
const appendCount = Number(values.append);
const concurrencies = values.concurrency.split(',').map(Number);

const results: { step: string; rows: number; seconds: number; rate: string }[] = [];
const record = (step: string, rows: number, ms: number) =>
  results.push({ step, rows, seconds: Number((ms / 1000).toFixed(2)), rate: `${Math.round(rows / (ms / 1000)).toLocaleString('en')} rows/s` });

const db = await createTestDatabase('auditbench');
const owner = createSql(db.url, 'audit', 2);
const sql = createAuditSql(await serviceLogin('audit', db.url), { role: 'tierline_audit_writer', max: Math.max(...concurrencies, 2) });
const dir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
try {
  await migrate(owner, { schema: 'audit', dir: fileURLToPath(new URL('../migrations', import.meta.url)) });
  const signer = createSigner(generateSigningKey());
  const ring = keyRing([signer.publicKey]);
  let n = 0;

  for (const c of concurrencies) {
    const per = Math.ceil(appendCount / c);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: c }, async () => {
        for (let i = 0; i < per; i++) await appendEvent(sql, sampleEvent(++n, { id: randomUUID() }));
      }),
    );
    record(`append, ${c} concurrent`, per * c, performance.now() - started);
  }

  // Fill up to the target with the same hashing, in batches.
  const [head] = await sql<{ seq: string; hash: string }[]>`select seq, hash from audit_log order by seq desc limit 1`;
  let seq = Number(head?.seq ?? 0);
  let prev = head?.hash ?? GENESIS_HASH;
  const fillStart = performance.now();
  const fillFrom = seq;
  while (seq < totalRows) {
    const batch = [];
    for (let i = 0; i < 1000 && seq < totalRows; i++) {
      seq += 1;
      const e = sampleEvent(seq, { id: randomUUID() });
      const content = canonicalJson(e);
      const hash = chainHash(prev, seq, content);
      batch.push({
        seq,
        event_id: e.id,
        event_type: e.type,
        ticket_id: e.ticketId ?? null,
        actor_kind: e.actor.kind,
        actor_id: e.actor.id,
        actor_role: e.actor.kind === 'user' ? e.actor.role : null,
        occurred_at: e.occurredAt,
        content,
        prev_hash: prev,
        hash,
      });
      prev = hash;
      if (seq % 10_000 === 0) {
        await sql`insert into audit_log ${sql(batch.splice(0))}`;
        await createCheckpoint(sql, signer);
      }
    }
    if (batch.length) await sql`insert into audit_log ${sql(batch)}`;
  }
  if (seq > fillFrom) record('fill (batched insert, not the service path)', seq - fillFrom, performance.now() - fillStart);
  await createCheckpoint(sql, signer);

  let started = performance.now();
  const report = await verifyDatabase(sql, { publicKeys: ring });
  record(`verify database (${report.checkpointsChecked} checkpoints)`, report.rowsChecked, performance.now() - started);
  if (!report.ok) throw new Error(`benchmark chain does not verify: ${report.reason}`);

  started = performance.now();
  const file = join(dir, 'export.jsonl');
  const parts: string[] = [];
  await sql.begin('isolation level repeatable read read only', async (tx) => {
    for await (const rows of streamRows(tx)) parts.push(rows.map(exportLine).join(''));
    parts.push(trailerLine({ checkpoint: await latestCheckpoint(tx), complete: true, rows: seq }));
  });
  writeFileSync(file, parts.join(''));
  record('export JSONL (to a file)', seq, performance.now() - started);

  started = performance.now();
  const fileReport = await verifyExportFile(file, ring);
  record('verify export file', fileReport.rowsChecked, performance.now() - started);
  if (!fileReport.ok) throw new Error(`benchmark export does not verify: ${fileReport.reason}`);

  const width = Math.max(...results.map((r) => r.step.length));
  process.stdout.write(`\naudit chain benchmark (${seq.toLocaleString('en')} rows, PostgreSQL at ${new URL(db.url).host})\n\n`);
  process.stdout.write(`${'step'.padEnd(width)}  ${'rows'.padStart(8)}  ${'seconds'.padStart(8)}  rate\n`);
  for (const r of results) {
    process.stdout.write(`${r.step.padEnd(width)}  ${String(r.rows).padStart(8)}  ${r.seconds.toFixed(2).padStart(8)}  ${r.rate}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await sql.end();
  await owner.end();
  await db.drop();
}
