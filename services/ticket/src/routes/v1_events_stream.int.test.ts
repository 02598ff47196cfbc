/**
 * GET /api/v1/events/stream against the real PostgreSQL, NATS JetStream and Keycloak: events are
 * published to JetStream as the worker publishes them, the stream is read over HTTP as the portal
 * reads it (fetch with a bearer token), and what each person receives follows the read rule.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { EVENT_SCHEMA_VERSION } from '@tierline/contracts';
import { connectNats, createLogger, createSql, createTokenVerifier, ensureStreams, listen, migrate, publishEvent, type NatsConnection, type Sql } from '@tierline/platform';
import { createTestDatabase, DEMO_PASSWORD, loginAs, testEnv } from '@tierline/testing';
import { createTicketApp } from '../app.js';
import type { TicketStreamMessage } from './v1_events_stream.js';
import { TICKET_MIGRATIONS_DIR } from '@tierline/ticket-store';

const env = testEnv();
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: Sql;
let nc: NatsConnection;
let js: JetStreamClient;
let connection: Connection;
let server: Awaited<ReturnType<typeof listen>>;
let base = '';
const tokens: Record<'nora' | 'sam' | 'alex' | 'val', string> = { nora: '', sam: '', alex: '', val: '' };
const subOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;

let seq = 7000;
async function insertTicket(over: { siteId: string; requesterId?: string; tier?: number; vendorOrgId?: string | null }): Promise<string> {
  const id = randomUUID();
  await sql`
    insert into tickets (id, number, title, category, site_id, requester_id, impact, urgency, priority, status, tier, vendor_org_id, policy_version, workflow_id)
    values (${id}, ${`IT-${seq++}`}, 'Label printer prints blank pages', 'printer_scanner', ${over.siteId}, ${over.requesterId ?? 'someone-else'},
      'department', 'medium', 'P3', 'new', ${over.tier ?? 1}, ${over.vendorOrgId ?? null}, 1, ${`ticket-${id}`})`;
  return id;
}

async function publish(ticketId: string, type = 'ticket.acknowledged', data: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  await publishEvent(js, { id, type, occurredAt: new Date().toISOString(), actor: { kind: 'system', id: 'it-events-stream' }, ticketId, data, schemaVersion: EVENT_SCHEMA_VERSION });
  return id;
}

/** An open stream: collects `event: ticket` messages until closed. */
async function open(token: string, query = '') {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/v1/events/stream${query}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
  expect(res.status, await (res.ok ? Promise.resolve('') : res.text())).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const messages: TicketStreamMessage[] = [];
  const named: string[] = [];
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  void (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (event) named.push(event);
          if (event === 'ready') ready();
          if (event === 'ticket') messages.push(JSON.parse(data) as TicketStreamMessage);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  await isReady;
  return { messages, named, close: () => controller.abort() };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  db = await createTestDatabase('eventsstream');
  sql = createSql(db.url, 'ticket', 5);
  await migrate(sql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
  nc = await connectNats(env.natsUrl, 'it-events-stream');
  await ensureStreams(nc);
  js = jetstream(nc);
  connection = await Connection.connect({ address: env.temporalAddress });
  const app = createTicketApp({
    sql,
    nc,
    js,
    temporal: new Client({ connection, namespace: env.temporalNamespace }),
    taskQueue: `it-events-stream-${randomUUID().slice(0, 8)}`,
    verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-ticket' }),
    logger: createLogger('it-events-stream', process.env.LOG_LEVEL ?? 'silent'),
    categories: ['printer_scanner'],
  });
  server = await listen(app, 0);
  base = `http://127.0.0.1:${server.port}`;
  tokens.nora = (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token;
  tokens.sam = (await loginAs('sam.staff', DEMO_PASSWORD)).access_token;
  tokens.alex = (await loginAs('alex.agent', DEMO_PASSWORD)).access_token;
  tokens.val = (await loginAs('val.vendor', DEMO_PASSWORD)).access_token;
});

afterAll(async () => {
  await server?.close();
  await nc?.drain();
  await connection?.close();
  await sql?.end();
  await db?.drop();
});

describe('GET /api/v1/events/stream', () => {
  it('delivers each change to the people who may read the ticket, with the ticket as it is now', async () => {
    const alex = await open(tokens.alex);
    const nora = await open(tokens.nora);
    const sam = await open(tokens.sam);
    try {
      const north = await insertTicket({ siteId: 'north' });
      // sam works at south, but reported this one at north himself: his own tickets are his.
      const samsOwn = await insertTicket({ siteId: 'north', requesterId: subOf(tokens.sam) });
      await sql`update tickets set status = 'acknowledged' where id = ${north}`;
      const e1 = await publish(north);
      const e2 = await publish(samsOwn, 'ticket.created');

      await until('alex to receive both', () => alex.messages.length >= 2);
      expect(alex.messages.map((m) => m.event.id)).toEqual([e1, e2]);
      expect(alex.messages[0]).toMatchObject({ event: { type: 'ticket.acknowledged', ticketId: north }, ticket: { id: north, status: 'acknowledged', siteId: 'north' } });
      await until('nora to receive both north tickets', () => nora.messages.length >= 2);
      expect(nora.messages.map((m) => m.event.id)).toEqual([e1, e2]);
      await until("sam to receive his own ticket's event", () => sam.messages.length >= 1);
      // A marker proves sam's stream is caught up: what came before it is all he will get.
      const marker = await publish(samsOwn, 'ticket.watcher_added');
      await until('the marker', () => sam.messages.some((m) => m.event.id === marker));
      expect(sam.messages.map((m) => m.event.id), 'sam must not see the north ticket he did not report').toEqual([e2, marker]);
    } finally {
      alex.close();
      nora.close();
      sam.close();
    }
  });

  it('keeps internal notes to IT, and ignores events of tickets this installation does not have', async () => {
    const alex = await open(tokens.alex);
    const nora = await open(tokens.nora);
    try {
      const t = await insertTicket({ siteId: 'north' });
      await publish(randomUUID(), 'ticket.created'); // not in this database
      const note = await publish(t, 'ticket.commented', { commentId: randomUUID(), visibility: 'internal' });
      const reply = await publish(t, 'ticket.commented', { commentId: randomUUID(), visibility: 'public' });
      await until('alex to receive both comments', () => alex.messages.length >= 2);
      expect(alex.messages.map((m) => m.event.id)).toEqual([note, reply]);
      await until('nora to receive the public reply', () => nora.messages.length >= 1);
      expect(nora.messages.map((m) => m.event.id), 'nora must not hear of the internal note').toEqual([reply]);
      // Only the envelope's facts and the ticket go out, never the event's data.
      expect(Object.keys(nora.messages[0]!.event).sort()).toEqual(['id', 'occurredAt', 'ticketId', 'type']);
    } finally {
      alex.close();
      nora.close();
    }
  });

  it('checks the rule on every event: a vendor hears of a ticket only while it is with its organisation', async () => {
    const val = await open(tokens.val);
    try {
      const t = await insertTicket({ siteId: 'south', vendorOrgId: 'acme-it', tier: 2 });
      const before = await publish(t, 'ticket.escalated');
      await sql`update tickets set tier = 3 where id = ${t}`;
      const handed = await publish(t, 'ticket.handed_to_vendor');
      await until('val to receive the hand-over', () => val.messages.length >= 1);
      await sql`update tickets set tier = 2, vendor_org_id = null where id = ${t}`;
      const after = await publish(t, 'ticket.assigned');
      const marker = await insertTicket({ siteId: 'south', vendorOrgId: 'acme-it', tier: 3 });
      const markerEvent = await publish(marker, 'ticket.created');
      await until('the marker', () => val.messages.some((m) => m.event.id === markerEvent));
      const ids = val.messages.map((m) => m.event.id);
      expect(ids).toEqual([handed, markerEvent]);
      expect(ids).not.toContain(before);
      expect(ids).not.toContain(after);
    } finally {
      val.close();
    }
  });

  it('narrows to one ticket with ?ticketId=', async () => {
    const a = await insertTicket({ siteId: 'north' });
    const b = await insertTicket({ siteId: 'north' });
    const alex = await open(tokens.alex, `?ticketId=${b}`);
    try {
      await publish(a);
      const eb = await publish(b);
      await until('the event of b', () => alex.messages.length >= 1);
      expect(alex.messages.map((m) => m.event.id)).toEqual([eb]);
    } finally {
      alex.close();
    }
  });

  it('refuses a missing token (401) and a bad ticketId (400) in the error envelope', async () => {
    const anon = await fetch(`${base}/api/v1/events/stream`);
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const bad = await fetch(`${base}/api/v1/events/stream?ticketId=42`, { headers: { authorization: `Bearer ${tokens.alex}` } });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.details[0]!.path).toBe('ticketId');
  });
});
