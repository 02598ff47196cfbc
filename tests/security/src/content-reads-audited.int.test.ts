import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { AUDIT_MIGRATIONS_DIR, startAuditConsumer } from '@tierline/audit';
import { EVENT_SCHEMA_VERSION, EVENTS_STREAM } from '@tierline/contracts';
import { connectNats, createLogger, createSql, createTokenVerifier, ensureStreams, listen, migrate, publishEvent, type NatsConnection, type Sql } from '@tierline/platform';
import { DEMO_PASSWORD, createTestDatabase, loginAs, testEnv } from '@tierline/testing';
import { contentReadEventId, createTicketApp, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import { subjectOf } from '@tierline/test-fixtures';

/**
 * Low finding "reads of ticket content are audited for everyone" (docs/decisions/0010, 0022):
 * the requester's, IT's and the vendor's reads are recorded like an admin's, as
 * `ticket.content_read` in the audit log, once per person, ticket and hour however often the
 * queue refreshes; a read that cannot be recorded is refused. Real Keycloak logins, JetStream and
 * the audit consumer; tickets written straight into the ticket service's tables.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ticketSql: Sql;
let auditSql: Sql;
let nc: NatsConnection;
let js: JetStreamClient;
let connection: Connection;
let stopAudit: () => Promise<void>;
let durable = '';
const servers: Awaited<ReturnType<typeof listen>>[] = [];
let base = '';
const tokens = { nurse: '', agent: '', vendor: '' };
const subs = { nurse: '', agent: '', vendor: '' };
const tickets: { id: string; number: string }[] = [];

let seq = 100 + Math.floor(Math.random() * 800);

async function appOn(jsClient: JetStreamClient) {
  const env = testEnv();
  const server = await listen(
    createTicketApp({
      sql: ticketSql,
      nc,
      js: jsClient,
      temporal: new Client({ connection, namespace: env.temporalNamespace }),
      taskQueue: `sec-reads-${randomBytes(4).toString('hex')}`,
      verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-ticket' }),
      logger: createLogger('sec-reads', 'silent'),
      categories: ['printer_scanner'],
    }),
    0,
  );
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

async function get(token: string, path: string, at = base) {
  const res = await fetch(`${at}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}

async function insertTicket(over: { tier?: number; vendorOrgId?: string | null } = {}) {
  const id = randomUUID();
  const number = `IT-R${seq++}`;
  await ticketSql`
    insert into tickets (id, number, title, category, site_id, requester_id, impact, urgency, priority, status, tier, vendor_org_id, policy_version, workflow_id)
    values (${id}, ${number}, 'Label printer prints blank pages', 'printer_scanner', 'north', ${subs.nurse}, 'one_user', 'medium', 'P3', 'new',
      ${over.tier ?? 1}, ${over.vendorOrgId ?? null}, 1, ${`ticket-${id}`})`;
  tickets.push({ id, number });
  return { id, number };
}

type ReadRow = { event_id: string; actor_id: string; actor_role: string; ticket_id: string; content: string };
const readsOf = (ticketId: string) =>
  auditSql<ReadRow[]>`select event_id, actor_id, actor_role, ticket_id, content from audit_log where event_type = 'ticket.content_read' and ticket_id = ${ticketId} order by seq`;

/** Waits until `count` content-read rows of the ticket are there, then a little more for any extra. */
async function settledReads(ticketId: string, count: number): Promise<ReadRow[]> {
  const end = Date.now() + 20_000;
  while ((await readsOf(ticketId)).length < count) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${count} content_read rows; have ${(await readsOf(ticketId)).length}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 1_500));
  return readsOf(ticketId);
}

/** Hours (UTC, as the read ids count them) that the reads between `from` and now may fall in. */
const hoursSince = (from: number) => Math.floor(Date.now() / 3_600_000) - Math.floor(from / 3_600_000) + 1;

beforeAll(async () => {
  const env = testEnv();
  db = await createTestDatabase('secreads');
  ticketSql = createSql(db.url, 'ticket', 3);
  auditSql = createSql(db.url, 'audit', 3);
  await migrate(ticketSql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
  await migrate(auditSql, { schema: 'audit', dir: fileURLToPath(AUDIT_MIGRATIONS_DIR) });
  nc = await connectNats(env.natsUrl, 'sec-reads');
  await ensureStreams(nc);
  js = jetstream(nc);
  durable = `sec-reads-audit-${randomBytes(4).toString('hex')}`;
  const audit = await startAuditConsumer({ nc, sql: auditSql, logger: createLogger('sec-reads-audit', 'silent'), durable, deliverNew: true });
  stopAudit = () => audit.stop();
  connection = await Connection.connect({ address: env.temporalAddress });
  base = await appOn(js);
  tokens.nurse = (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token;
  tokens.agent = (await loginAs('alex.agent', DEMO_PASSWORD)).access_token;
  tokens.vendor = (await loginAs('val.vendor', DEMO_PASSWORD)).access_token;
  for (const k of ['nurse', 'agent', 'vendor'] as const) subs[k] = subjectOf(tokens[k]);
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await stopAudit?.();
  await (await jetstreamManager(nc)).consumers.delete(EVENTS_STREAM, durable).catch(() => undefined);
  await nc?.drain();
  await connection?.close();
  await ticketSql?.end();
  await auditSql?.end();
  await db?.drop();
});

describe('reads of ticket content are recorded for everyone, once per person, ticket and hour', () => {
  it("records the requester's reads (ticket, comments, timeline, repeated) as one row naming who and which ticket, none of its content", async () => {
    const started = Date.now();
    const t = await insertTicket();
    for (let i = 0; i < 3; i++) {
      for (const part of ['', '/comments', '/timeline']) expect((await get(tokens.nurse, `/api/v1/tickets/${t.id}${part}`)).status).toBe(200);
    }
    // Another replica (its own JetStream client, nothing remembered in process): still one record.
    const replica = await appOn(jetstream(nc));
    expect((await get(tokens.nurse, `/api/v1/tickets/${t.id}`, replica)).status).toBe(200);
    const rows = await settledReads(t.id, 1);
    expect(rows.length, 'one row per hour, not one per read').toBeLessThanOrEqual(hoursSince(started));
    expect(rows[0]).toMatchObject({ actor_id: subs.nurse, actor_role: 'clinic_staff', ticket_id: t.id });
    // The id is the (person, ticket, hour) one, which is what JetStream and the audit log dedupe on.
    expect([contentReadEventId(subs.nurse, t.id, started), contentReadEventId(subs.nurse, t.id, Date.now())]).toContain(rows[0]!.event_id);
    const event = JSON.parse(rows[0]!.content) as { data: unknown };
    expect(event.data).toEqual({ number: t.number, what: 'ticket' });
    expect(rows[0]!.content).not.toContain('Label printer');
  });

  it("records each ticket of IT's queue once, however often the queue refreshes", async () => {
    const started = Date.now();
    const a = await insertTicket();
    const b = await insertTicket();
    for (let i = 0; i < 5; i++) expect((await get(tokens.agent, '/api/v1/tickets?open=true&limit=200')).status).toBe(200);
    for (const t of [a, b]) {
      const rows = (await settledReads(t.id, 1)).filter((r) => r.actor_id === subs.agent);
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows.length).toBeLessThanOrEqual(hoursSince(started));
      expect(rows[0]).toMatchObject({ actor_role: 'it_agent' });
      expect((JSON.parse(rows[0]!.content) as { data: unknown }).data).toEqual({ number: t.number, what: 'list' });
    }
  });

  it("records the vendor's read of a ticket handed to it", async () => {
    const t = await insertTicket({ tier: 3, vendorOrgId: 'acme-it' });
    expect((await get(tokens.vendor, `/api/v1/tickets/${t.id}`)).status).toBe(200);
    const rows = await settledReads(t.id, 1);
    expect(rows.map((r) => [r.actor_id, r.actor_role])).toEqual([[subs.vendor, 'vendor']]);
  });

  it('records a ticket delivered on the live stream', async () => {
    const t = await insertTicket();
    const controller = new AbortController();
    const res = await fetch(`${base}/api/v1/events/stream?ticketId=${t.id}`, { headers: { authorization: `Bearer ${tokens.nurse}` }, signal: controller.signal });
    let raw = '';
    void (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          raw += value;
        }
      } catch {
        // closed
      }
    })();
    try {
      const end = Date.now() + 10_000;
      while (!raw.includes('event: ready')) {
        if (Date.now() > end) throw new Error('the stream never became ready');
        await new Promise((r) => setTimeout(r, 50));
      }
      await publishEvent(js, { id: randomUUID(), type: 'ticket.acknowledged', occurredAt: new Date().toISOString(), actor: { kind: 'system', id: 'sec-reads' }, ticketId: t.id, data: { number: t.number, tier: 1 }, schemaVersion: EVENT_SCHEMA_VERSION });
      const rows = await settledReads(t.id, 1);
      expect(raw).toContain('event: ticket');
      expect(rows.map((r) => [r.actor_id, (JSON.parse(r.content) as { data: { what: string } }).data.what])).toEqual([[subs.nurse, 'stream']]);
    } finally {
      controller.abort();
    }
  });

  it('refuses the read with 503, showing nothing, when it cannot be recorded, whoever reads', async () => {
    const t = await insertTicket({ tier: 3, vendorOrgId: 'acme-it' });
    const broken = { publish: () => Promise.reject(new Error('nats: no responders')) } as unknown as JetStreamClient;
    const at = await appOn(broken);
    for (const who of ['nurse', 'agent', 'vendor'] as const) {
      for (const path of [`/api/v1/tickets/${t.id}`, `/api/v1/tickets/${t.id}/comments`, '/api/v1/tickets']) {
        const r = await get(tokens[who], path, at);
        expect(r.status, `${who} ${path}: ${r.text}`).toBe(503);
        expect(r.text).toContain('audit trail');
        expect(r.text).not.toContain('Label printer');
      }
    }
  });
});
