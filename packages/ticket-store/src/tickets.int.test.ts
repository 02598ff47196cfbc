/**
 * The tickets, timeline, comments, watchers and report statements against the real PostgreSQL
 * (a database of this file's own, migrated with the ticket schema's migrations).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import type { EventEnvelope, Ticket } from '@tierline/contracts';
import { createSql, migrate, type Sql } from '@tierline/platform';
import { createTestDatabase } from '@tierline/testing';
import { TICKET_MIGRATIONS_DIR } from './index.js';
import { insertComment, listComments } from './comments.js';
import { slaReport } from './reports.js';
import { storeTest as it } from './test/fixtures.js';
import {
  applyReadModelPatch,
  findByIdempotencyKey,
  findTicket,
  insertTicket,
  insertTicketIfAbsent,
  listTickets,
  type NewTicket,
  type TicketListQuery,
} from './tickets.js';
import { addChannelToEntry, listTimeline, ticketExists, writeTimelineEntry, writeTimelineEntryIfTicket } from './timeline.js';
import { addWatcher, listWatchers, removeWatcher } from './watchers.js';

const newTicket = (over: Partial<NewTicket> = {}): NewTicket => {
  const id = randomUUID();
  return {
    id,
    title: 'Printer offline',
    description: 'Exam room 3',
    category: 'printer_scanner',
    siteId: 'north',
    requesterId: 'u-nora',
    impact: 'one_user',
    urgency: 'low',
    patientCareAffected: false,
    priority: 'P4',
    policyVersion: 1,
    workflowId: `ticket-${id}`,
    idempotencyKey: null,
    ...over,
  };
};

const open = (sql: Sql, over: Partial<NewTicket> = {}) => sql.begin((tx) => insertTicket(tx, newTicket(over)));

/** `body` on a migrated database of its own, dropped after: a listing sees every ticket in it. */
async function onOwnDatabase(label: string, body: (sql: Sql) => Promise<void>) {
  const db = await createTestDatabase(label);
  const sql = createSql(db.url, 'ticket', 2);
  try {
    await migrate(sql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
    await body(sql);
  } finally {
    await sql.end();
    await db.drop();
  }
}

const event = (type: string, data: Record<string, unknown> = {}, occurredAt = new Date().toISOString()): EventEnvelope => ({
  id: randomUUID(),
  type,
  occurredAt,
  actor: { kind: 'system', id: 'workflow' },
  data,
  schemaVersion: 1,
});

describe('tickets', () => {
  it('numbers a new ticket from the sequence and reads it back by id and idempotency key', async ({ database: { sql } }) => {
    const a = await open(sql, { idempotencyKey: 'k-1' });
    const b = await open(sql);
    expect(a).toMatchObject({ status: 'new', tier: 1, policyVersion: 1, escalationLevel: 0, assigneeId: null, nextDeadlineAt: null });
    expect(Number(b.number.slice(3))).toBe(Number(a.number.slice(3)) + 1);
    expect(a.number).toMatch(/^IT-\d+$/);
    expect(await findTicket(sql, a.id)).toEqual(a);
    expect(await findByIdempotencyKey(sql, 'u-nora', 'k-1')).toEqual(a);
    expect(await findByIdempotencyKey(sql, 'u-other', 'k-1')).toBeNull();
    expect(await findTicket(sql, randomUUID())).toBeNull();
  });

  it("writes the row in the caller's transaction: a rollback leaves no ticket", async ({ database: { sql } }) => {
    const t = newTicket();
    await expect(
      sql.begin(async (tx) => {
        await insertTicket(tx, t);
        throw new Error('the workflow could not start');
      }),
    ).rejects.toThrow('the workflow could not start');
    expect(await findTicket(sql, t.id)).toBeNull();
  });

  it('restores a missing row from the workflow and leaves an existing one as it is', async ({ database: { sql } }) => {
    const stored = await open(sql);
    await insertTicketIfAbsent(sql, { ...stored, title: 'something else' });
    expect((await findTicket(sql, stored.id))?.title).toBe('Printer offline');

    const lost: Ticket = { ...stored, id: randomUUID(), number: 'IT-99999', workflowId: `ticket-lost-${randomUUID()}`, title: 'Restored' };
    await insertTicketIfAbsent(sql, lost);
    await insertTicketIfAbsent(sql, lost);
    expect(await findTicket(sql, lost.id)).toMatchObject({ id: lost.id, number: 'IT-99999', title: 'Restored' });
  });

  it('patches the read model, and says when the row is missing or the patch is empty', async ({ database: { sql } }) => {
    const t = await open(sql);
    const deadline = '2026-03-04T18:00:00.000Z';
    expect(await applyReadModelPatch(sql, t.id, { status: 'acknowledged', tier: 2, teamId: 'it-tier2', nextDeadlineAt: deadline, slaAtRisk: true })).toBe('updated');
    const after = (await findTicket(sql, t.id))!;
    expect(after).toMatchObject({ status: 'acknowledged', tier: 2, teamId: 'it-tier2', nextDeadlineAt: deadline, slaAtRisk: true, priority: 'P4' });
    expect(Date.parse(after.updatedAt)).toBeGreaterThanOrEqual(Date.parse(t.updatedAt));
    expect(await applyReadModelPatch(sql, t.id, { nextDeadlineAt: null })).toBe('updated');
    expect((await findTicket(sql, t.id))?.nextDeadlineAt).toBeNull();
    expect(await applyReadModelPatch(sql, t.id, {})).toBe('empty');
    expect(await applyReadModelPatch(sql, randomUUID(), { status: 'resolved' })).toBe('missing');
  });

  it('never lets an older patch overwrite a newer one: it is skipped as stale', async ({ database: { sql } }) => {
    const t = await open(sql);
    const revOf = async (id: string) => Number((await sql`select read_model_rev from tickets where id = ${id}`)[0]!.read_model_rev);
    // The ticket service's insert: revision 0, so the workflow's first patch (1) applies.
    expect(await revOf(t.id)).toBe(0);
    expect(await applyReadModelPatch(sql, t.id, { status: 'new', tier: 1, teamId: 'it-tier1' }, 1)).toBe('updated');
    // Patch 3 (handed to the vendor) lands before patch 2 (still tier 2), as a retried activity would.
    const newer = { status: 'in_progress', tier: 3, vendorOrgId: 'acme-it', teamId: 'it-tier2', escalationLevel: 2 };
    expect(await applyReadModelPatch(sql, t.id, newer, 3)).toBe('updated');
    expect(await applyReadModelPatch(sql, t.id, { status: 'acknowledged', tier: 2, vendorOrgId: null, teamId: 'it-tier2', escalationLevel: 1 }, 2)).toBe('stale');
    expect(await findTicket(sql, t.id)).toMatchObject(newer);
    expect(await revOf(t.id)).toBe(3);
    // The same patch again (a retry after its commit) is stale too, and changes nothing.
    expect(await applyReadModelPatch(sql, t.id, { tier: 1 }, 3)).toBe('stale');
    expect((await findTicket(sql, t.id))?.tier).toBe(3);
    // A newer one still applies; an unknown row is missing, not stale.
    expect(await applyReadModelPatch(sql, t.id, { status: 'resolved' }, 4)).toBe('updated');
    expect(await findTicket(sql, t.id)).toMatchObject({ status: 'resolved', tier: 3 });
    expect(await applyReadModelPatch(sql, randomUUID(), { status: 'resolved' }, 5)).toBe('missing');
    await expect(applyReadModelPatch(sql, t.id, { status: 'resolved' }, 0)).rejects.toThrow(/revision/);
  });

  it('applies only the newest of patches written at once from concurrent transactions', async ({ database: { sql } }) => {
    const t = await open(sql);
    // The older transaction holds the row while the newer waits; then the order is reversed.
    const held = await sql.reserve();
    try {
      await held`begin`;
      expect(await applyReadModelPatch(held, t.id, { tier: 3 }, 5)).toBe('updated');
      const older = applyReadModelPatch(sql, t.id, { tier: 2 }, 4);
      await new Promise((r) => setTimeout(r, 200));
      await held`commit`;
      expect(await older).toBe('stale');
    } finally {
      held.release();
    }
    expect((await findTicket(sql, t.id))?.tier).toBe(3);
  });
});

describe('listing tickets', () => {
  it('keeps to the scope, the filters and the keyset order, page after page', () =>
    onOwnDatabase('tstorelist', async (sql) => {
      const north = await open(sql, { siteId: 'north', requesterId: 'u-a' });
      const south = await open(sql, { siteId: 'south', requesterId: 'u-b' });
      const mine = await open(sql, { siteId: 'south', requesterId: 'u-a' });
      const vendor = await open(sql, { siteId: 'south', requesterId: 'u-b' });
      const done = await open(sql, { siteId: 'north', requesterId: 'u-b' });
      await applyReadModelPatch(sql, vendor.id, { tier: 3, vendorOrgId: 'acme-it' });
      await applyReadModelPatch(sql, done.id, { status: 'resolved' });
      await applyReadModelPatch(sql, north.id, { nextDeadlineAt: '2026-03-04T10:00:00.000Z' });
      await applyReadModelPatch(sql, south.id, { nextDeadlineAt: '2026-03-04T09:00:00.000Z' });

      const ids = async (scope: Parameters<typeof listTickets>[1], q: Partial<TicketListQuery> = {}) =>
        (await listTickets(sql, scope, { sort: 'next_deadline', limit: 50, ...q })).items.map((t) => t.id);

      // Soonest deadline first, tickets without one last (by id).
      const noDeadline = [mine.id, vendor.id, done.id].sort();
      expect(await ids({ kind: 'all' })).toEqual([south.id, north.id, ...noDeadline]);
      expect(await ids({ kind: 'some', staff: { siteIds: ['north'], requesterId: 'u-a' } })).toEqual([north.id, ...[mine.id, done.id].sort()]);
      expect(await ids({ kind: 'some', vendorOrgId: 'acme-it' })).toEqual([vendor.id]);
      expect(await ids({ kind: 'some', vendorOrgId: 'other-org' })).toEqual([]);
      expect(await ids({ kind: 'some' })).toEqual([]);
      expect(await ids({ kind: 'all' }, { open: false })).toEqual([done.id]);
      expect((await ids({ kind: 'all' }, { open: true })).sort()).toEqual([north.id, south.id, mine.id, vendor.id].sort());
      expect(await ids({ kind: 'all' }, { tier: [3] })).toEqual([vendor.id]);
      expect(await ids({ kind: 'all' }, { siteId: 'north', status: ['new'] })).toEqual([north.id]);

      // Keyset pages of two: every ticket once, in order, and `more` only before the last page.
      for (const sort of ['next_deadline', 'newest'] as const) {
        const seen: string[] = [];
        let after: TicketListQuery['after'];
        for (;;) {
          const page = await listTickets(sql, { kind: 'all' }, { sort, limit: 2, ...(after ? { after } : {}) });
          seen.push(...page.items.map((t) => t.id));
          const last = page.items[page.items.length - 1];
          if (!page.more || !last) break;
          after = { k: sort === 'next_deadline' ? last.nextDeadlineAt : last.createdAt, id: last.id };
        }
        expect(seen, sort).toEqual(await ids({ kind: 'all' }, { sort }));
        expect(new Set(seen).size).toBe(5);
      }
    }));
});

describe('listing tickets opened in one millisecond', () => {
  // The column keeps microseconds, the API and its cursor milliseconds: newest-first pages of one
  // must still show every ticket once.
  it('pages through tickets sharing a millisecond without skipping any', () =>
    onOwnDatabase('tstorelistms', async (sql) => {
      const older = await open(sql);
      const same = [await open(sql), await open(sql), await open(sql)];
      await sql`update tickets set created_at = '2026-03-04T09:59:59.999000Z' where id = ${older.id}`;
      for (const [i, t] of same.entries()) {
        await sql`update tickets set created_at = timestamptz '2026-03-04T10:00:00Z' + ${i + 1} * interval '1 microsecond' where id = ${t.id}`;
      }

      const seen: string[] = [];
      let after: TicketListQuery['after'];
      for (;;) {
        const page = await listTickets(sql, { kind: 'all' }, { sort: 'newest', limit: 1, ...(after ? { after } : {}) });
        seen.push(...page.items.map((t) => t.id));
        const last = page.items[page.items.length - 1];
        if (!page.more || !last) break;
        after = { k: last.createdAt, id: last.id };
      }
      // The three of one millisecond by id descending, then the older one.
      expect(seen).toEqual([...same.map((t) => t.id).sort().reverse(), older.id]);
    }));
});

describe('timeline', () => {
  it('writes each event once and hides internal comments from those who may not see them', async ({ database: { sql } }) => {
    const t = await open(sql);
    const created = event('ticket.created', {}, '2026-03-04T10:00:00.000Z');
    const internal = event('ticket.commented', { visibility: 'internal', commentId: randomUUID() }, '2026-03-04T10:01:00.000Z');
    const pub = event('ticket.commented', { visibility: 'public', commentId: randomUUID() }, '2026-03-04T10:02:00.000Z');
    expect(await writeTimelineEntry(sql, t.id, created)).toBe(true);
    expect(await writeTimelineEntry(sql, t.id, created)).toBe(false);
    await sql.begin(async (tx) => {
      await writeTimelineEntry(tx, t.id, pub);
      await writeTimelineEntry(tx, t.id, internal);
    });
    const all = await listTimeline(sql, t.id, { internal: true });
    expect(all.map((e) => e.eventId)).toEqual([created.id, internal.id, pub.id]);
    expect(all[0]).toEqual({ eventId: created.id, type: 'ticket.created', occurredAt: created.occurredAt, actor: { kind: 'system', id: 'workflow' }, data: {} });
    expect((await listTimeline(sql, t.id, { internal: false })).map((e) => e.eventId)).toEqual([created.id, pub.id]);
  });

  it("gathers a page's channels in one entry, and writes nothing for another database's ticket", async ({ database: { sql } }) => {
    const t = await open(sql);
    const entry = (ticketId: string) => ({
      eventId: randomUUID(),
      ticketId,
      type: 'notification.sent',
      occurredAt: new Date().toISOString(),
      actor: { kind: 'system', id: 'notification' },
      data: { kind: 'page', recipientId: 'u-lee', channels: ['sms'] },
    });
    const page = entry(t.id);
    expect(await addChannelToEntry(sql, page, 'sms')).toBe(true);
    expect(await addChannelToEntry(sql, { ...page, data: { ...page.data, channels: ['email'] } }, 'email')).toBe(true);
    expect(await addChannelToEntry(sql, page, 'sms')).toBe(false);
    const [stored] = (await listTimeline(sql, t.id, { internal: true })).filter((e) => e.eventId === page.eventId);
    expect(stored?.data['channels']).toEqual(['sms', 'email']);

    const stranger = entry(randomUUID());
    expect(await addChannelToEntry(sql, stranger, 'sms')).toBe(false);
    expect(await writeTimelineEntryIfTicket(sql, stranger)).toBe(false);
    expect(await ticketExists(sql, stranger.ticketId)).toBe(false);
    expect(await ticketExists(sql, t.id)).toBe(true);

    const failed = { ...entry(t.id), type: 'notification.delivery_failed', data: { channel: 'sms' } };
    expect(await writeTimelineEntryIfTicket(sql, failed)).toBe(true);
    expect(await writeTimelineEntryIfTicket(sql, failed)).toBe(false);
  });
});

describe('comments and watchers', () => {
  it("stores a comment once and shows each reader only what they may read", async ({ database: { sql } }) => {
    const t = await open(sql);
    const comment = (over: Partial<Parameters<typeof insertComment>[2]>) => ({
      id: randomUUID(),
      authorId: 'u-alex',
      authorRole: 'it_agent',
      visibility: 'public' as const,
      body: 'text',
      createdAt: new Date(Date.parse('2026-03-04T10:00:00Z') + Math.random() * 1000).toISOString(),
      kind: 'comment',
      ...over,
    });
    const pub = comment({ createdAt: '2026-03-04T10:00:00.000Z' });
    const internal = comment({ visibility: 'internal', createdAt: '2026-03-04T10:01:00.000Z' });
    const handoff = comment({ visibility: 'internal', kind: 'handoff_note', createdAt: '2026-03-04T10:02:00.000Z' });
    const fromVendor = comment({ authorId: 'u-val', authorRole: 'vendor', createdAt: '2026-03-04T10:03:00.000Z' });
    for (const c of [pub, internal, handoff, fromVendor]) await insertComment(sql, t.id, c);
    await insertComment(sql, t.id, { ...pub, body: 'a retry does not overwrite' });

    const ids = async (opts: { internal: boolean; vendor: boolean }) => (await listComments(sql, t.id, opts)).map((c) => c.id);
    expect(await ids({ internal: true, vendor: false })).toEqual([pub.id, internal.id, handoff.id, fromVendor.id]);
    expect(await ids({ internal: false, vendor: false })).toEqual([pub.id, fromVendor.id]);
    expect(await ids({ internal: false, vendor: true })).toEqual([handoff.id, fromVendor.id]);
    expect((await listComments(sql, t.id, { internal: true, vendor: false }))[0]).toEqual(pub);
  });

  it('adds and removes a watcher once each', async ({ database: { sql } }) => {
    const t = await open(sql);
    expect(await addWatcher(sql, t.id, 'u-lee')).toBe(true);
    expect(await addWatcher(sql, t.id, 'u-lee')).toBe(false);
    expect(await addWatcher(sql, t.id, 'u-alex')).toBe(true);
    expect((await listWatchers(sql, t.id)).map((w) => w.userId)).toEqual(['u-lee', 'u-alex']);
    expect(await removeWatcher(sql, t.id, 'u-lee')).toBe(true);
    expect(await removeWatcher(sql, t.id, 'u-lee')).toBe(false);
    expect((await listWatchers(sql, t.id)).map((w) => w.userId)).toEqual(['u-alex']);
  });
});

describe('service-level report', () => {
  it('counts tickets, acknowledgements, breaches and escalations per group and in total', async ({ database: { sql } }) => {
    // Tickets opened in a period of their own, so other tests' tickets stay out.
    const from = '2031-01-01T00:00:00.000Z';
    const to = '2031-02-01T00:00:00.000Z';
    const p1 = await open(sql, { priority: 'P1' });
    const p2 = await open(sql, { priority: 'P2' });
    const p2b = await open(sql, { priority: 'P2' });
    await sql`update tickets set created_at = '2031-01-10T08:00:00Z' where id in ${sql([p1.id, p2.id, p2b.id])}`;
    await applyReadModelPatch(sql, p1.id, { acknowledgedAt: '2031-01-10T08:30:00Z', resolvedAt: '2031-01-10T10:00:00Z' });
    await writeTimelineEntry(sql, p1.id, event('ticket.sla_breached', { clock: 'response' }));
    await writeTimelineEntry(sql, p1.id, event('ticket.escalated', { tier: 2 }));
    await writeTimelineEntry(sql, p2.id, event('ticket.escalated', { tier: 3 }));

    const report = await slaReport(sql, { from, to, groupBy: 'priority', timeZone: 'UTC' });
    expect(report.groups.map((g) => [g.key, g.tickets])).toEqual([
      ['P1', 1],
      ['P2', 2],
    ]);
    expect(report.groups[0]).toMatchObject({ acknowledged: 1, mttaMinutes: 30, resolved: 1, mttrMinutes: 120, breachedResponse: 1, compliant: 0, tier2: 1, tier3: 0 });
    expect(report.total).toMatchObject({ key: 'total', tickets: 3, compliant: 2, tier2: 1, tier3: 1, breachedResponse: 1 });
    const empty = await slaReport(sql, { from: '2040-01-01T00:00:00Z', to: '2040-02-01T00:00:00Z', groupBy: 'month', timeZone: 'America/New_York' });
    expect(empty).toEqual({ groups: [], total: expect.objectContaining({ key: 'total', tickets: 0, mttaMinutes: null }) });
  });
});
