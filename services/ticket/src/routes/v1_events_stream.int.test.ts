/**
 * GET /api/v1/events/stream against the real PostgreSQL, NATS JetStream and Keycloak: events are
 * published to JetStream as the worker publishes them, the stream is read over HTTP as the portal
 * reads it (fetch with a bearer token), and what each person receives follows the read rule.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JetStreamClient, Sql } from '@tierline/platform';
import { demoTokens, openEventStream, subjectOf, until } from '@tierline/test-fixtures';
import { insertTicketRow, publishTicketEvent, ticketAppTest } from '../test/fixtures.js';
import type { TicketStreamMessage } from './v1_events_stream.js';

const test = ticketAppTest({ label: 'eventsstream', categories: ['printer_scanner'] });
let sql: Sql;
let js: JetStreamClient;
let base = '';
let tokens: Record<'nora' | 'sam' | 'alex' | 'val', string>;
const subOf = subjectOf;

const insertTicket = (over: { siteId: string; requesterId?: string; tier?: number; vendorOrgId?: string | null }) => insertTicketRow(sql, over);
const publish = (ticketId: string, type = 'ticket.acknowledged', data: Record<string, unknown> = {}) => publishTicketEvent(js, ticketId, type, data);

/** An open stream: its `event: ticket` messages until closed. */
async function open(token: string, query = '') {
  const stream = await openEventStream(`${base}/api/v1/events/stream${query}`, `Bearer ${token}`);
  expect(stream.contentType).toContain('text/event-stream');
  return {
    get messages() {
      return stream.dataOf<TicketStreamMessage>('ticket');
    },
    close: stream.close,
  };
}

test.beforeAll(async ({ database, nats, app }) => {
  sql = database.sql;
  js = nats.js;
  base = app.baseUrl;
  tokens = await demoTokens({ nora: 'nora.nurse', sam: 'sam.staff', alex: 'alex.agent', val: 'val.vendor' });
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
