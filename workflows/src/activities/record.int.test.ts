/**
 * recordTicketEvent's read-model write against a real PostgreSQL database migrated with the ticket
 * schema's migrations: a patch that lands after a newer one is skipped (decision 39), the activity
 * still succeeds and still writes the rest of its step. No events are recorded here, so JetStream
 * is never reached (its stand-in throws if it were).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSql, migrate, type Sql } from '@tierline/platform';
import { createTestDatabase } from '@tierline/testing';
import { TICKET_MIGRATIONS_DIR, findTicket, insertTicket, listComments } from '@tierline/ticket-store';
import { createActivities, type ActivityDeps, type RecordInput } from './index.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: Sql;
let acts: ReturnType<typeof createActivities>;
const noJetStream = new Proxy({}, { get: () => { throw new Error('JetStream used'); } }) as unknown as ActivityDeps['js'];

beforeAll(async () => {
  db = await createTestDatabase('record-act');
  sql = createSql(db.url, 'ticket', 4);
  await migrate(sql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
  acts = createActivities({ sql, js: noJetStream });
});

afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

async function openTicket() {
  const id = randomUUID();
  return sql.begin((tx) =>
    insertTicket(tx, {
      id,
      title: 'EHR down',
      description: 'Whole site',
      category: 'ehr',
      siteId: 'north',
      requesterId: 'u-nora',
      impact: 'whole_site',
      urgency: 'high',
      patientCareAffected: true,
      priority: 'P2',
      policyVersion: 1,
      workflowId: `ticket-${id}`,
      idempotencyKey: null,
    }),
  );
}

const run = (input: RecordInput) => new MockActivityEnvironment().run(acts.recordTicketEvent, input);

describe('recordTicketEvent and the read-model revision', () => {
  it('leaves the newer read model when an older patch lands after it, and still writes the rest of the step', async () => {
    const t = await openTicket();
    await run({ ticketId: t.id, rev: 1, patch: { status: 'new', tier: 1, teamId: 'it-tier1' } });
    // Patch 3 (handed to the vendor) is written first; patch 2 (escalated to tier 2) is retried after it.
    await run({ ticketId: t.id, rev: 3, patch: { status: 'in_progress', tier: 3, teamId: 'it-tier2', vendorOrgId: 'acme-it' } });
    const commentId = randomUUID();
    await run({
      ticketId: t.id,
      rev: 2,
      patch: { status: 'acknowledged', tier: 2, teamId: 'it-tier2', vendorOrgId: null },
      comment: { id: commentId, authorId: 'agent-1', authorRole: 'it_agent', visibility: 'internal', body: 'Looking at it', createdAt: new Date().toISOString() },
    });
    expect(await findTicket(sql, t.id)).toMatchObject({ status: 'in_progress', tier: 3, vendorOrgId: 'acme-it' });
    expect((await listComments(sql, t.id, { internal: true, vendor: false })).map((c) => c.id)).toEqual([commentId]);
    // A newer patch still applies.
    await run({ ticketId: t.id, rev: 4, patch: { status: 'resolved' } });
    expect(await findTicket(sql, t.id)).toMatchObject({ status: 'resolved', tier: 3 });
  });

  it('still fails, not retryably, when the ticket has no row at all', async () => {
    const err = await run({ ticketId: randomUUID(), rev: 7, patch: { status: 'resolved' } }).catch((e: unknown) => e);
    expect((err as { type?: string }).type).toBe('MissingTicketRow');
  });
});

describe('major incidents in the read model (decision 40)', () => {
  it('writes the parent and child columns from the patches, and incidentChildFacts reads them back', async () => {
    const [parent, child] = [await openTicket(), await openTicket()];
    expect(await findTicket(sql, child.id)).toMatchObject({ majorIncident: false, incidentParentId: null });
    await run({ ticketId: parent.id, rev: 1, patch: { majorIncident: true, incidentParentId: null } });
    await run({ ticketId: child.id, rev: 1, patch: { status: 'acknowledged', majorIncident: false, incidentParentId: parent.id } });
    const facts = (id: string) => new MockActivityEnvironment().run(acts.incidentChildFacts, id);
    expect(await facts(parent.id)).toEqual({ number: parent.number, status: 'new', majorIncident: true, incidentParentId: null });
    expect(await facts(child.id)).toEqual({ number: child.number, status: 'acknowledged', majorIncident: false, incidentParentId: parent.id });
    expect(await facts(randomUUID())).toBeNull();
    // Unlinked: the column is cleared.
    await run({ ticketId: child.id, rev: 2, patch: { incidentParentId: null } });
    expect(await findTicket(sql, child.id)).toMatchObject({ incidentParentId: null });
  });
});
