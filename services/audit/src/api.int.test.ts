import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forgeFrom } from '@tierline/testing';
import { runCli } from './cli-lib.js';
import { createCheckpoint } from './repo.js';
import { api, auditTest, tamper, tokenOf, type AuditHarness } from './test/harness.js';

const TICKET = '11111111-1111-4111-8111-111111111111';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

const test = auditTest('auditapi', { http: true });

describe('audit API on the real PostgreSQL and Keycloak', () => {
  let h: AuditHarness;
  let lead: string;
  let auditor: string;
  let dir: string;

  test.beforeAll(async ({ audit }) => {
    h = audit;
    lead = await tokenOf('lee.lead');
    auditor = await tokenOf('audrey.auditor');
    await h.append(5);
    await h.append(3, { ticketId: TICKET, type: 'ticket.acknowledged', actor: { kind: 'user', id: 'lee', role: 'it_lead' } });
    await h.append(2, { type: 'policy.published' });
    dir = mkdtempSync(join(tmpdir(), 'audit-api-'));
  });

  describe('security', () => {
    for (const user of ['lee.lead', 'audrey.auditor']) {
      it(`lets ${user} read, export and verify`, async () => {
        const token = await tokenOf(user);
        const call = api(h.baseUrl, token);
        for (const [method, path] of [
          ['GET', '/api/v1/audit/events'],
          ['GET', '/api/v1/audit/export'],
          ['POST', '/api/v1/audit/verify'],
          ['GET', '/api/v1/audit/checkpoints'],
        ] as const) {
          const res = await call(method, path);
          expect(res.status, `${method} ${path}: ${res.text.slice(0, 200)}`).toBe(200);
        }
      });
    }

    for (const user of ['alex.agent', 'nora.nurse']) {
      it(`forbids ${user}`, async () => {
        const token = await tokenOf(user);
        for (const [method, path] of [
          ['GET', '/api/v1/audit/events'],
          ['GET', '/api/v1/audit/export'],
          ['POST', '/api/v1/audit/verify'],
          ['POST', '/api/v1/audit/checkpoints'],
        ] as const) {
          const res = await api(h.baseUrl, token)(method, path);
          expect(res.status, `${method} ${path}: ${res.text.slice(0, 200)}`).toBe(403);
          expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'the audit log is open to IT leads and auditors only' });
        }
      });
    }

    it('refuses a request without a token', async () => {
      for (const [method, path] of [
        ['GET', '/api/v1/audit/events'],
        ['GET', '/api/v1/audit/export'],
        ['POST', '/api/v1/audit/verify'],
      ] as const) {
        const res = await api(h.baseUrl)(method, path);
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHORIZED');
      }
    });

    it("refuses an IT lead's token re-signed or meant for another audience", async () => {
      for (const change of ['other-key', 'other-audience'] as const) {
        const res = await api(h.baseUrl, await forgeFrom(lead, change))('GET', '/api/v1/audit/events');
        expect(res.status, change).toBe(401);
      }
    });

    it('serves the public key and the API description without a token', async () => {
      const key = await api(h.baseUrl)('GET', '/api/v1/audit/public-key');
      expect(key.status).toBe(200);
      expect(key.body).toMatchObject({ keyId: h.signer.keyId, algorithm: 'Ed25519', jwk: { kty: 'OKP', crv: 'Ed25519' }, retired: [] });
      const doc = await api(h.baseUrl)('GET', '/api/v1/audit/openapi.json');
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/api/v1/audit/events', '/api/v1/audit/export', '/api/v1/audit/verify', '/api/v1/audit/public-key', '/api/v1/audit/checkpoints']),
      );
      const ui = await api(h.baseUrl)('GET', '/api/v1/audit/docs');
      expect(ui.text).toContain('swagger-ui');
    });
  });

  describe('query', () => {
    it('pages through everything by cursor in chain order', async () => {
      const call = api(h.baseUrl, auditor);
      const first = await call('GET', '/api/v1/audit/events?limit=4');
      expect(first.body.items.map((i: { seq: number }) => i.seq)).toEqual([1, 2, 3, 4]);
      expect(first.body.nextCursor).toBe('4');
      const seqs: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await call('GET', `/api/v1/audit/events?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        seqs.push(...page.body.items.map((i: { seq: number }) => i.seq));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('filters by ticket, actor, exact type and type prefix', async () => {
      const call = api(h.baseUrl, lead);
      const byTicket = await call('GET', `/api/v1/audit/events?ticketId=${TICKET}`);
      expect(byTicket.body.items.map((i: { seq: number }) => i.seq)).toEqual([6, 7, 8]);
      expect(byTicket.body.items[0]).toMatchObject({ type: 'ticket.acknowledged', ticketId: TICKET, actor: { kind: 'user', id: 'lee', role: 'it_lead' }, event: { ticketId: TICKET } });
      const byActor = await call('GET', '/api/v1/audit/events?actorId=lee');
      expect(byActor.body.items).toHaveLength(3);
      const exact = await call('GET', '/api/v1/audit/events?type=policy.published');
      expect(exact.body.items.map((i: { seq: number }) => i.seq)).toEqual([2, 5, 9, 10]);
      const prefix = await call('GET', '/api/v1/audit/events?type=ticket.*');
      expect(prefix.body.items.every((i: { type: string }) => i.type.startsWith('ticket.'))).toBe(true);
      expect(prefix.body.items).toHaveLength(6);
    });

    it('filters by occurredAt, from inclusive and to exclusive', async () => {
      // sampleEvent(n) occurs at 2025-01-01T08:00:0n.
      const res = await api(h.baseUrl, lead)('GET', '/api/v1/audit/events?from=2025-01-01T08:00:02Z&to=2025-01-01T08:00:03Z');
      expect(res.body.items.map((i: { occurredAt: string }) => i.occurredAt)).toEqual(Array(3).fill('2025-01-01T08:00:02.000Z'));
    });

    it('answers bad filters with 400 naming the field', async () => {
      const res = await api(h.baseUrl, lead)('GET', '/api/v1/audit/events?limit=501&type=ticket*&ticketId=nope');
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['limit', 'ticketId', 'type']);
    });
  });

  describe('checkpoints, export and offline verification', () => {
    it('signs the head on demand, once per head', async () => {
      const call = api(h.baseUrl, lead);
      const first = await call('POST', '/api/v1/audit/checkpoints');
      expect(first.body).toMatchObject({ created: true, checkpoint: { seq: 10, keyId: h.signer.keyId } });
      const again = await call('POST', '/api/v1/audit/checkpoints');
      expect(again.body).toEqual({ created: false, checkpoint: first.body.checkpoint });
      const list = await call('GET', '/api/v1/audit/checkpoints?limit=5');
      expect(list.body.items).toEqual([first.body.checkpoint]);
    });

    it('exports JSONL with the latest checkpoint, which the CLI verifies with the published key', async () => {
      const res = await api(h.baseUrl, auditor)('GET', '/api/v1/audit/export?format=jsonl');
      expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
      const lines = res.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(11);
      expect(lines[0]).toMatchObject({ seq: 1, prevHash: '0'.repeat(64), hash: expect.stringMatching(/^[0-9a-f]{64}$/), content: expect.any(String) });
      expect(lines[10]).toMatchObject({ checkpoint: { seq: 10 }, complete: true, rows: 10, keyId: h.signer.keyId });

      const file = join(dir, 'export.jsonl');
      writeFileSync(file, res.text);
      const keyFile = join(dir, 'key.json');
      writeFileSync(keyFile, (await api(h.baseUrl)('GET', '/api/v1/audit/public-key')).text);
      const ok = capture();
      expect(await runCli(['verify', '--file', file, '--public-key', keyFile], ok.io), ok.err.join('')).toBe(0);
      expect(JSON.parse(ok.out.join(''))).toMatchObject({ ok: true, rowsChecked: 10, checkpointsChecked: 1, partial: false });

      // The same file with one row's content edited: the CLI names the row.
      const edited = res.text.split('\n');
      const row = JSON.parse(edited[6]!) as { content: string };
      row.content = row.content.replace('"schemaVersion":1', '"schemaVersion":2');
      edited[6] = JSON.stringify(row);
      writeFileSync(file, edited.join('\n'));
      const bad = capture();
      expect(await runCli(['verify', '--file', file, '--public-key', keyFile], bad.io)).toBe(1);
      expect(JSON.parse(bad.out.join(''))).toMatchObject({ ok: false, firstBrokenSeq: 7 });
      expect(bad.err.join('')).toMatch(/BROKEN at row 7: row 7 was altered/);

      // The tail cut off the file (closing line kept): the checkpoint proves it.
      const cut = res.text.trim().split('\n');
      writeFileSync(file, [...cut.slice(0, 8), cut[10]].join('\n'));
      const cutReport = capture();
      expect(await runCli(['verify', '--file', file, '--public-key', keyFile], cutReport.io)).toBe(1);
      expect(JSON.parse(cutReport.out.join(''))).toMatchObject({ ok: false, firstBrokenSeq: 9 });
    });

    it('refuses to verify a file with a key it was not given', async () => {
      const file = join(dir, 'export2.jsonl');
      writeFileSync(file, (await api(h.baseUrl, auditor)('GET', '/api/v1/audit/export')).text);
      const otherKey = join(dir, 'other.pem');
      const gen = capture();
      expect(await runCli(['keygen', '--out', otherKey], gen.io)).toBe(0);
      const res = capture();
      expect(await runCli(['verify', '--file', file, '--public-key', otherKey], res.io)).toBe(1);
      expect(JSON.parse(res.out.join('')).reason).toMatch(/not a known audit key/);
    });

    it('exports a filtered JSONL as partial, which still verifies', async () => {
      const res = await api(h.baseUrl, auditor)('GET', `/api/v1/audit/export?ticketId=${TICKET}`);
      const lines = res.text.trim().split('\n');
      expect(lines).toHaveLength(4);
      expect(JSON.parse(lines[3]!)).toMatchObject({ complete: false, rows: 3, filters: { ticketId: TICKET } });
      const file = join(dir, 'partial.jsonl');
      writeFileSync(file, res.text);
      const keyFile = join(dir, 'key.pem');
      writeFileSync(keyFile, (await api(h.baseUrl)('GET', '/api/v1/audit/public-key')).body.pem);
      const out = capture();
      expect(await runCli(['verify', '--file', file, '--public-key', keyFile], out.io)).toBe(0);
      expect(JSON.parse(out.out.join(''))).toMatchObject({ ok: true, partial: true, rowsChecked: 3 });
    });

    it('exports CSV with the checkpoint in a leading comment line', async () => {
      const res = await api(h.baseUrl, lead)('GET', '/api/v1/audit/export?format=csv&type=policy.*');
      expect(res.headers.get('content-type')).toMatch(/text\/csv/);
      const lines = res.text.trim().split('\r\n');
      expect(lines[0]).toMatch(/^# tierline-audit-checkpoint \{.*"checkpoint":\{"id":\d+,"seq":10,/);
      expect(lines[1]).toBe('seq,event_id,event_type,ticket_id,actor_kind,actor_id,actor_role,occurred_at,recorded_at,prev_hash,hash,content');
      expect(lines.slice(2).map((l) => l.split(',')[0])).toEqual(['2', '5', '9', '10']);
      expect(lines[2]).toMatch(/,"\{""actor"":/);
    });

    it('verifies the database through the CLI with the public key', async () => {
      const keyFile = join(dir, 'key-db.pem');
      writeFileSync(keyFile, (await api(h.baseUrl)('GET', '/api/v1/audit/public-key')).body.pem);
      const out = capture();
      expect(await runCli(['verify', '--database-url', h.db.url, '--public-key', keyFile], out.io), out.err.join('')).toBe(0);
      expect(JSON.parse(out.out.join(''))).toMatchObject({ ok: true, rowsChecked: 10, checkpointsChecked: 1 });
    });

    it('catches a tail cut off together with its checkpoints, given an anchor kept elsewhere', async () => {
      await h.append(2);
      const anchor = (await createCheckpoint(h.sql, h.signer)).checkpoint!;
      expect(anchor.seq).toBe(12);
      await tamper(h.owner, async (tx) => {
        await tx`delete from audit_checkpoints where seq > 10`;
        await tx`delete from audit_log where seq > 10`;
      });
      const call = api(h.baseUrl, auditor);
      expect((await call('POST', '/api/v1/audit/verify')).body).toMatchObject({ ok: true });
      const res = await call('POST', '/api/v1/audit/verify', { anchors: [anchor] });
      expect(res.body).toMatchObject({ ok: false, firstBrokenSeq: 11, checkpoint: { seq: 12 } });
      expect(res.body.reason).toMatch(/rows 11–12 were removed/);
    });
  });
});
