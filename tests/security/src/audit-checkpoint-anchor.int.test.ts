import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  anchorLatest,
  appendEvent,
  createAuditApp,
  chainHash,
  createCheckpoint,
  createCheckpointAnchors,
  GENESIS_HASH,
  keyRing,
  startCheckpointer,
  verifyDatabase,
  type AuditSigner,
  type CheckpointAnchors,
} from '@tierline/audit';
import { auditTest, tamper as tamperAs } from '@tierline/audit/test-harness';
import { createTokenVerifier, type Logger, type NatsConnection, type Sql } from '@tierline/platform';
import { testEnv } from '@tierline/testing';
import { cleanupStack, demoToken, natsWithStreams, serveApp } from '@tierline/test-fixtures';

// The audit service's fixtures: a database migrated by the administrator (`audit.owner`, the
// attacker here) and the service's own pool in the writer role; NATS for the anchors.
const test = auditTest('secauditanchor').extend('nats', { scope: 'file' }, natsWithStreams('sec-audit-anchor'));

/**
 * Medium 4: verify used to report ok after the tail past the last checkpoint was re-hashed or
 * cut, and after a full re-hash with the checkpoints deleted: everything it compared lived in the
 * database the attacker controls. Every checkpoint is now also anchored in an append-only
 * JetStream stream; verify requires the newest anchored one in the database, equal, and no row
 * older than the checkpoint interval allows beyond it. The attacker here is a database
 * administrator (superuser: switches the append-only triggers off), not a NATS operator.
 */
describe('audit checkpoints anchored outside the database', () => {
  let logger: Logger;
  let signer: AuditSigner;
  let publicKeys: ReturnType<typeof keyRing>;
  let admin: Sql;
  let service: Sql;
  let nc: NatsConnection;
  let stream: string;
  let anchors: CheckpointAnchors;

  const append = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await appendEvent(service, {
        id: randomUUID(),
        type: 'ticket.created',
        occurredAt: new Date().toISOString(),
        actor: { kind: 'system', id: 'test' },
        ticketId: randomUUID(),
        data: { i },
        schemaVersion: 1,
      });
    }
  };
  /** Signs the head and anchors it, as the checkpointer does. */
  const checkpoint = async () => {
    await createCheckpoint(service, signer);
    return anchorLatest(service, anchors, logger);
  };
  /** The administrator's rewrite: triggers off, change, triggers on. */
  const tamper = (change: (tx: Sql) => Promise<unknown>) => tamperAs(admin, change);
  /** Recomputes every hash from `from` on, so the chain itself links up again. */
  const rehash = (from: number, edit: number) =>
    tamper(async (tx) => {
      const rows = await tx<{ seq: string; content: string; prev_hash: string }[]>`select seq, content, prev_hash from audit.audit_log order by seq`;
      let prev = GENESIS_HASH;
      for (const r of rows) {
        const seq = Number(r.seq);
        if (seq < from) {
          prev = chainHash(r.prev_hash, seq, r.content);
          continue;
        }
        const content = seq === edit ? r.content.replace('"schemaVersion":1', '"schemaVersion":2') : r.content;
        const hash = chainHash(prev, seq, content);
        await tx`update audit.audit_log set content = ${content}, prev_hash = ${prev}, hash = ${hash} where seq = ${seq}`;
        prev = hash;
      }
    });
  const verify = async (maxUnanchoredMs = 60_000) => verifyDatabase(service, { publicKeys, outside: { newest: await anchors.newest(), maxUnanchoredMs } });

  test.beforeAll(({ audit, nats }) => {
    ({ logger, signer, owner: admin, sql: service } = audit);
    publicKeys = keyRing([signer.publicKey]);
    nc = nats.nc;
  });

  // Each test: a fresh stream, and a fresh chain of 7 rows with anchored checkpoints at rows 4 and 7.
  beforeEach(async () => {
    const id = randomBytes(4).toString('hex');
    stream = `T_AUDIT_CHECKPOINTS_${id}`;
    anchors = await createCheckpointAnchors(nc, { stream, subject: `test.audit.${id}.checkpoints` });
    await tamper((tx) => tx`truncate audit.audit_log, audit.audit_checkpoints restart identity`);
    await append(4);
    expect(await checkpoint()).toBe('anchored');
    await append(3);
    expect(await checkpoint()).toBe('anchored');
    expect(await anchors.newest()).toMatchObject({ seq: 7 });
  });
  afterEach(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream);
  });

  it('reports the intact chain as intact', async () => {
    expect(await verify()).toMatchObject({ ok: true, rowsChecked: 7, checkpointsChecked: 2 });
  });

  it('a re-hashed tail past the last checkpoint left in the database (the one covering it deleted)', async () => {
    await rehash(5, 6);
    await tamper((tx) => tx`delete from audit.audit_checkpoints where seq > 4`);
    // What the database alone says: intact. That was the finding.
    expect(await verifyDatabase(service, { publicKeys })).toMatchObject({ ok: true });
    const report = await verify();
    expect(report, JSON.stringify(report)).toMatchObject({ ok: false, firstBrokenSeq: 7, checkpoint: { seq: 7 } });
    expect(report.reason).toMatch(/checkpoint \(row 7, signed .*\) signed hash .* rows 5–7 were rewritten and re-hashed/);
  });

  it('a cut tail, its checkpoint deleted too', async () => {
    await tamper(async (tx) => {
      await tx`delete from audit.audit_log where seq > 5`;
      await tx`delete from audit.audit_checkpoints where seq > 4`;
    });
    expect(await verifyDatabase(service, { publicKeys })).toMatchObject({ ok: true });
    const report = await verify();
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 6 });
    expect(report.reason).toMatch(/chain ends at row 5, but checkpoint \(row 7, .*\) covers row 7: rows 6–7 were removed/);
    // The service does not anchor the cut state over the evidence: the newest anchor stays at row 7.
    expect(await checkpoint()).toBe('refused');
    expect(await anchors.newest()).toMatchObject({ seq: 7 });
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: 6 });
  });

  it('a full re-hash with every checkpoint deleted', async () => {
    await rehash(1, 2);
    await tamper((tx) => tx`delete from audit.audit_checkpoints`);
    expect(await verifyDatabase(service, { publicKeys })).toMatchObject({ ok: true, checkpointsChecked: 0 });
    const report = await verify();
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 7 });
    expect(report.reason).toMatch(/rows 1–7 were rewritten and re-hashed after the checkpoint was signed/);
  });

  it('checkpoints deleted, rows left alone', async () => {
    await tamper((tx) => tx`delete from audit.audit_checkpoints where seq = 7`);
    const report = await verify();
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 7 });
    expect(report.reason).toMatch(/the newest checkpoint kept outside the database \(row 7, signed .*, anchored .*\) is missing from audit_checkpoints: checkpoints were deleted/);
  });

  it('rows older than the checkpoint interval allows, beyond the newest anchored checkpoint', async () => {
    await append(2);
    // Within the interval, a tail not yet anchored is expected...
    expect(await verify(60_000)).toMatchObject({ ok: true, rowsChecked: 9 });
    await new Promise((r) => setTimeout(r, 300));
    // ...past it, the checkpointer stopped anchoring, or someone cut and rewrote the tail meanwhile.
    const report = await verify(100);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 8 });
    expect(report.reason).toMatch(/rows 8–9 are covered by no checkpoint kept outside the database/);
  });

  it('the checkpointer anchors on its own, frequently', { timeout: 30_000 }, async () => {
    const cp = startCheckpointer({ sql: service, signer, logger, anchors, policy: { everyRows: 2, everyMs: 60_000, tickMs: 50 } });
    try {
      await append(2);
      const end = Date.now() + 20_000;
      while ((await anchors.newest())?.seq !== 9 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(await anchors.newest()).toMatchObject({ seq: 9 });
    } finally {
      await cp.stop();
    }
    expect(await verify(100)).toMatchObject({ ok: true, rowsChecked: 9 });
  });

  it('the stream refuses deleting and purging anchored checkpoints', async () => {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream);
    expect(info.config).toMatchObject({ deny_delete: true, deny_purge: true, max_age: 0 });
    expect(info.state.messages).toBe(2);
    await expect(jsm.streams.deleteMessage(stream, 2)).rejects.toThrow(/delete|not allowed|denied/i);
    await expect(jsm.streams.purge(stream)).rejects.toThrow(/purge|not allowed|denied/i);
    expect((await jsm.streams.info(stream)).state.messages).toBe(2);
  });

  it('the verify API reads the anchored checkpoint, and answers 503 rather than "intact" when it cannot', { timeout: 30_000 }, async () => {
    const env = testEnv();
    const token = await demoToken('audrey.auditor');
    const verifyToken = createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-audit' });
    const servers = cleanupStack();
    const serve = (a: CheckpointAnchors) => serveApp(createAuditApp({ sql: service, logger, signer, publicKeys, verifyToken, anchors: a, maxUnanchoredMs: 60_000 }), servers);
    const post = async (port: number) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/audit/verify`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as { ok?: boolean; firstBrokenSeq?: number; reason?: string; error?: { code: string; message: string } } };
    };
    const app = await serve(anchors);
    const broken = await serve({ publish: () => Promise.reject(new Error('down')), newest: () => Promise.reject(new Error('NATS is unreachable')) });
    try {
      expect(await post(app.port)).toMatchObject({ status: 200, body: { ok: true, rowsChecked: 7 } });
      await tamper((tx) => tx`delete from audit.audit_checkpoints where seq = 7`);
      const res = await post(app.port);
      expect(res).toMatchObject({ status: 200, body: { ok: false, firstBrokenSeq: 7 } });
      expect(res.body.reason).toMatch(/newest checkpoint kept outside the database \(row 7, .*\) is missing from audit_checkpoints/);
      const down = await post(broken.port);
      expect(down.status).toBe(503);
      expect(down.body.error).toMatchObject({ code: 'UNAVAILABLE' });
      expect(down.body.error?.message).toMatch(/anchored checkpoints \(JetStream\) cannot be read/);
    } finally {
      await servers.run();
    }
  });

  it('refuses to run on an existing stream that allows deletes', async () => {
    const jsm = await jetstreamManager(nc);
    const id = randomBytes(4).toString('hex');
    const name = `T_AUDIT_LAX_${id}`;
    await jsm.streams.add({ name, subjects: [`test.audit.${id}.lax`] });
    try {
      await expect(createCheckpointAnchors(nc, { stream: name, subject: `test.audit.${id}.lax` })).rejects.toThrow(/allows deleting, purging or ageing out/);
    } finally {
      await jsm.streams.delete(name);
    }
  });
});
