import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION } from '@tierline/contracts';
import { publishEvent, type JetStreamClient, type Sql } from '@tierline/platform';
import { demoTokens, openEventStream, until } from '@tierline/test-fixtures';
import { ticketAppTest } from '@tierline/ticket/test-fixtures';

/**
 * Finding 5, the vendor's side (docs/decisions/0022): a vendor sees what it needs of a ticket
 * handed to it (number, category, site, priority, clocks, the hand-off note IT wrote for it, and
 * its own comments), never the requester's title and description nor the clinic's comments or
 * IT's notes: in the API, the list and the live stream alike. The ticket is written straight into
 * the ticket service's tables, as the workflow's activities leave it after a hand-off.
 */
const TITLE = 'Label printer in room 7 prints the wrong patient';
const DESCRIPTION = 'Mrs Example, born 1950, got the labels of Mr Sample';
const CLINIC_COMMENT = 'It happened again with the morning bloods';
const IT_NOTE = 'Probably the print spooler on the front-desk PC';
const RESOLUTION = 'Cleared the spooler queue for Mrs Example';
const HANDOFF = 'Zebra ZD421, serial 77A; firmware 1.2 suspected';
const VENDOR_OWN = 'Technician booked for Thursday';

const test = ticketAppTest({ label: 'secvendorview', categories: ['printer_scanner'] });
let sql: Sql;
let js: JetStreamClient;
let base = '';
let tokens: Record<'vendor' | 'agent', string>;
let ticketId = '';
const number = `IT-${9000 + Math.floor(Math.random() * 900)}`;

async function get(token: string, path: string) {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Record<string, unknown> & { items?: Record<string, unknown>[] } };
}

/** Opens the live stream; the tickets of its `event: ticket` messages. */
async function openStream(token: string) {
  const stream = await openEventStream(`${base}/api/v1/events/stream?ticketId=${ticketId}`, `Bearer ${token}`);
  return {
    get tickets() {
      return stream.dataOf<{ ticket: Record<string, unknown> }>('ticket').map((m) => m.ticket);
    },
    raw: stream.raw,
    until: (check: () => boolean) => until('the stream', check),
    close: stream.close,
  };
}

test.beforeAll(async ({ database, nats, app }) => {
  sql = database.sql;
  js = nats.js;
  base = app.baseUrl;
  tokens = await demoTokens({ vendor: 'val.vendor', agent: 'alex.agent' });

  // A ticket with the vendor acme-it (tier 3), as the workflow leaves it after the hand-off.
  ticketId = randomUUID();
  await sql`
    insert into tickets (id, number, title, description, category, site_id, requester_id, impact, urgency, priority, status, tier, vendor_org_id, policy_version, workflow_id)
    values (${ticketId}, ${number}, ${TITLE}, ${DESCRIPTION}, 'printer_scanner', 'north', 'nurse-1', 'department', 'high', 'P2', 'waiting_on_vendor', 3, 'acme-it', 1, ${`ticket-${ticketId}`})`;
  const note = (author: string, role: string, visibility: string, kind: string, body: string, minute: number) =>
    sql`insert into ticket_comments (id, ticket_id, author_id, author_role, visibility, kind, body, created_at)
        values (${randomUUID()}, ${ticketId}, ${author}, ${role}, ${visibility}, ${kind}, ${body}, ${new Date(Date.now() - (60 - minute) * 60_000)})`;
  await note('nurse-1', 'clinic_staff', 'public', 'comment', CLINIC_COMMENT, 1);
  await note('agent-1', 'it_agent', 'internal', 'comment', IT_NOTE, 2);
  await note('agent-1', 'it_agent', 'internal', 'handoff_note', HANDOFF, 3);
  await note('vendor-1', 'vendor', 'public', 'comment', VENDOR_OWN, 4);
  await note('agent-1', 'it_agent', 'public', 'resolution', RESOLUTION, 5);
});

const words = [TITLE, DESCRIPTION, CLINIC_COMMENT, IT_NOTE, RESOLUTION];
const noClinicWords = (what: string, text: string) => {
  for (const w of words) expect(text.includes(w), `${what} shows "${w}"`).toBe(false);
};

describe("the vendor's view of a ticket handed to it", () => {
  it('has the facts and neither title nor description, one ticket or the list', async () => {
    const one = await get(tokens.vendor, `/api/v1/tickets/${ticketId}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ id: ticketId, number, category: 'printer_scanner', siteId: 'north', priority: 'P2', tier: 3, vendorOrgId: 'acme-it', title: '', description: '' });
    noClinicWords('GET ticket', one.text);
    const list = await get(tokens.vendor, '/api/v1/tickets');
    expect(list.status).toBe(200);
    const mine = list.json.items!.find((t) => t['id'] === ticketId);
    expect(mine).toMatchObject({ number, title: '', description: '' });
    noClinicWords('the list', list.text);
    // IT, the control: the same ticket, whole.
    expect((await get(tokens.agent, `/api/v1/tickets/${ticketId}`)).json).toMatchObject({ title: TITLE, description: DESCRIPTION });
  });

  it('reads the hand-off note and its own comments, not the clinic’s comments, IT’s notes or resolution', async () => {
    const comments = await get(tokens.vendor, `/api/v1/tickets/${ticketId}/comments`);
    expect(comments.status).toBe(200);
    expect(comments.json.items!.map((c) => [c['kind'], c['body']])).toEqual([
      ['handoff_note', HANDOFF],
      ['comment', VENDOR_OWN],
    ]);
    noClinicWords('comments', comments.text);
    const forIt = await get(tokens.agent, `/api/v1/tickets/${ticketId}/comments`);
    expect(forIt.json.items, 'IT reads them all').toHaveLength(5);
  });

  it('follows the ticket live without the requester’s words, while IT’s stream carries them', async () => {
    const vendor = await openStream(tokens.vendor);
    const agent = await openStream(tokens.agent);
    try {
      await publishEvent(js, {
        id: randomUUID(),
        type: 'ticket.vendor_acknowledged',
        occurredAt: new Date().toISOString(),
        actor: { kind: 'user', id: 'vendor-1', role: 'vendor' },
        ticketId,
        data: { number, vendorOrgId: 'acme-it', via: 'portal' },
        schemaVersion: EVENT_SCHEMA_VERSION,
      });
      await vendor.until(() => vendor.tickets.length > 0);
      await agent.until(() => agent.tickets.length > 0);
      expect(vendor.tickets[0]).toMatchObject({ id: ticketId, number, priority: 'P2', title: '', description: '' });
      noClinicWords('the live stream', vendor.raw());
      expect(agent.tickets[0]).toMatchObject({ title: TITLE, description: DESCRIPTION });
    } finally {
      vendor.close();
      agent.close();
    }
  });
});
