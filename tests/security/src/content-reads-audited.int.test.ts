import { describe, expect } from 'vitest';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { auditRecorder } from '@tierline/audit/test-harness';
import { createLogger, type Sql } from '@tierline/platform';
import { contentReadEventId } from '@tierline/ticket';
import { insertTicketRow, publishTicketEvent, startTicketApp, ticketAppTest, type TicketAppOptions } from '@tierline/ticket/test-fixtures';
import { demoTokens, openEventStream, subjectOf } from '@tierline/test-fixtures';

/**
 * Low finding "reads of ticket content are audited for everyone" (docs/decisions/0010, 0022):
 * the requester's, IT's and the vendor's reads are recorded like an admin's, as
 * `ticket.content_read` in the audit log, once per person, ticket and hour however often the
 * queue refreshes; a read that cannot be recorded is refused. Real Keycloak logins, JetStream and
 * the audit consumer; tickets written straight into the ticket service's tables.
 */
const logger = createLogger('sec-reads', 'silent');
const app: TicketAppOptions = { label: 'secreads', categories: ['printer_scanner'], deps: () => ({ logger }) };
/** A read that cannot be recorded: publishing on JetStream fails. */
const broken = { publish: () => Promise.reject(new Error('nats: no responders')) } as unknown as JetStreamClient;

const test = ticketAppTest(app)
  .extend('audit', { scope: 'file' }, async ({ database, nats }, hooks) =>
    auditRecorder({ dbUrl: database.url, nc: nats.nc, logger, name: 'sec-reads-audit' }, hooks),
  )
  // Another replica: its own JetStream client, nothing remembered in process.
  .extend('replica', { scope: 'file' }, async ({ database, nats, temporal }, hooks) =>
    startTicketApp({ ...app, deps: () => ({ logger, js: jetstream(nats.nc) }) }, { database, nats, temporal }, hooks),
  )
  .extend('unrecorded', { scope: 'file' }, async ({ database, nats, temporal }, hooks) =>
    startTicketApp({ ...app, deps: () => ({ logger, js: broken }) }, { database, nats, temporal }, hooks),
  );

let ticketSql: Sql;
let auditSql: Sql;
let base = '';
const tokens = { nurse: '', agent: '', vendor: '' };
const subs = { nurse: '', agent: '', vendor: '' };

async function get(token: string, path: string, at = base) {
  const res = await fetch(`${at}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}

async function insertTicket(over: { tier?: number; vendorOrgId?: string | null } = {}) {
  const id = await insertTicketRow(ticketSql, { requesterId: subs.nurse, ...over });
  const [row] = await ticketSql<{ number: string }[]>`select number from tickets where id = ${id}`;
  return { id, number: row!.number };
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

test.beforeAll(async ({ database, app: served, audit }) => {
  ticketSql = database.sql;
  auditSql = audit.sql;
  base = served.baseUrl;
  Object.assign(tokens, await demoTokens({ nurse: 'nora.nurse', agent: 'alex.agent', vendor: 'val.vendor' }));
  for (const k of ['nurse', 'agent', 'vendor'] as const) subs[k] = subjectOf(tokens[k]);
});

describe('reads of ticket content are recorded for everyone, once per person, ticket and hour', () => {
  test("records the requester's reads (ticket, comments, timeline, repeated) as one row naming who and which ticket, none of its content", async ({ replica }) => {
    const started = Date.now();
    const t = await insertTicket();
    for (let i = 0; i < 3; i++) {
      for (const part of ['', '/comments', '/timeline']) expect((await get(tokens.nurse, `/api/v1/tickets/${t.id}${part}`)).status).toBe(200);
    }
    // Another replica (its own JetStream client, nothing remembered in process): still one record.
    expect((await get(tokens.nurse, `/api/v1/tickets/${t.id}`, replica.baseUrl)).status).toBe(200);
    const rows = await settledReads(t.id, 1);
    expect(rows.length, 'one row per hour, not one per read').toBeLessThanOrEqual(hoursSince(started));
    expect(rows[0]).toMatchObject({ actor_id: subs.nurse, actor_role: 'clinic_staff', ticket_id: t.id });
    // The id is the (person, ticket, hour) one, which is what JetStream and the audit log dedupe on.
    expect([contentReadEventId(subs.nurse, t.id, started), contentReadEventId(subs.nurse, t.id, Date.now())]).toContain(rows[0]!.event_id);
    const event = JSON.parse(rows[0]!.content) as { data: unknown };
    expect(event.data).toEqual({ number: t.number, what: 'ticket' });
    expect(rows[0]!.content).not.toContain('Label printer');
  });

  test("records each ticket of IT's queue once, however often the queue refreshes", async () => {
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

  test("records the vendor's read of a ticket handed to it", async () => {
    const t = await insertTicket({ tier: 3, vendorOrgId: 'acme-it' });
    expect((await get(tokens.vendor, `/api/v1/tickets/${t.id}`)).status).toBe(200);
    const rows = await settledReads(t.id, 1);
    expect(rows.map((r) => [r.actor_id, r.actor_role])).toEqual([[subs.vendor, 'vendor']]);
  });

  test('records a ticket delivered on the live stream', async ({ nats }) => {
    const t = await insertTicket();
    const stream = await openEventStream(`${base}/api/v1/events/stream?ticketId=${t.id}`, `Bearer ${tokens.nurse}`);
    try {
      await publishTicketEvent(nats.js, t.id, 'ticket.acknowledged', { number: t.number, tier: 1 }, 'sec-reads');
      const rows = await settledReads(t.id, 1);
      expect(stream.raw()).toContain('event: ticket');
      expect(rows.map((r) => [r.actor_id, (JSON.parse(r.content) as { data: { what: string } }).data.what])).toEqual([[subs.nurse, 'stream']]);
    } finally {
      stream.close();
    }
  });

  test('refuses the read with 503, showing nothing, when it cannot be recorded, whoever reads', async ({ unrecorded }) => {
    const t = await insertTicket({ tier: 3, vendorOrgId: 'acme-it' });
    const at = unrecorded.baseUrl;
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
