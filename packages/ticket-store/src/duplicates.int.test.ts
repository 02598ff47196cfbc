/**
 * Likely duplicates and automatic links against the real PostgreSQL (a database of this file's
 * own, migrated like the service does). Each test uses a site of its own, so they do not see each
 * other's tickets.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { Sql } from '@tierline/platform';
import { addAutoLink, findAutoLink, likelyDuplicates, openMajorIncidentFor, pendingAutoLinks, recordAutoLinkAttempt } from './duplicates.js';
import { storeTest as it } from './test/fixtures.js';
import { applyReadModelPatch, findTicket, insertTicket, type NewTicket } from './tickets.js';

const site = () => `site-${randomUUID().slice(0, 8)}`;

async function open(sql: Sql, over: Partial<NewTicket> & { createdMinutesAgo?: number; majorIncident?: boolean; parentId?: string; status?: 'resolved' } = {}) {
  const { createdMinutesAgo, majorIncident, parentId, status, ...fields } = over;
  const id = randomUUID();
  const t = await sql.begin((tx) =>
    insertTicket(tx, {
      id,
      title: 'EHR down',
      description: 'Nothing loads',
      category: 'ehr',
      siteId: 'north',
      requesterId: 'u-nora',
      impact: 'whole_site',
      urgency: 'high',
      patientCareAffected: true,
      priority: 'P1',
      policyVersion: 1,
      workflowId: `ticket-${id}`,
      idempotencyKey: null,
      ...fields,
    }),
  );
  if (createdMinutesAgo !== undefined) await sql`update tickets set created_at = now() - make_interval(mins => ${createdMinutesAgo}) where id = ${id}`;
  if (majorIncident || parentId || status) {
    await applyReadModelPatch(sql, id, {
      ...(majorIncident ? { majorIncident: true } : {}),
      ...(parentId ? { incidentParentId: parentId } : {}),
      ...(status ? { status, resolvedAt: new Date().toISOString() } : {}),
    });
  }
  return t;
}

describe('likelyDuplicates', () => {
  it('finds open major incidents of the site and category first, then recent P1/P2 of the window, newest first', async ({ database: { sql } }) => {
    const siteId = site();
    const major = await open(sql, { siteId, createdMinutesAgo: 600, priority: 'P3', majorIncident: true });
    const p2 = await open(sql, { siteId, priority: 'P2', createdMinutesAgo: 30 });
    const p1 = await open(sql, { siteId, priority: 'P1', createdMinutesAgo: 5 });
    // Not matches: too old, not urgent, another category, another site, resolved, a child of the incident.
    await open(sql, { siteId, priority: 'P1', createdMinutesAgo: 200 });
    await open(sql, { siteId, priority: 'P3', createdMinutesAgo: 1 });
    await open(sql, { siteId, category: 'network', createdMinutesAgo: 1 });
    await open(sql, { siteId: site(), createdMinutesAgo: 1 });
    await open(sql, { siteId, createdMinutesAgo: 1, status: 'resolved' });
    await open(sql, { siteId, createdMinutesAgo: 1, parentId: major.id });

    const found = await likelyDuplicates(sql, { siteId, category: 'ehr', windowMinutes: 120 });
    expect(found.map((d) => [d.kind, d.ticket.number]), JSON.stringify(found.map((d) => d.ticket.number))).toEqual([
      ['major_incident', major.number],
      ['recent_urgent', p1.number],
      ['recent_urgent', p2.number],
    ]);
    // A narrower window of the policy leaves the 30-minute-old P2 out.
    const narrow = await likelyDuplicates(sql, { siteId, category: 'ehr', windowMinutes: 10 });
    expect(narrow.map((d) => d.ticket.id)).toEqual([major.id, p1.id]);
  });

  it('for a ticket being looked at: leaves it out and counts only reports opened before it', async ({ database: { sql } }) => {
    const siteId = site();
    const first = await open(sql, { siteId, createdMinutesAgo: 20 });
    const second = await open(sql, { siteId, createdMinutesAgo: 10 });
    await open(sql, { siteId, createdMinutesAgo: 1 });
    const asStored = async (id: string) => (await findTicket(sql, id))!;
    const forSecond = await likelyDuplicates(sql, { siteId, category: 'ehr', windowMinutes: 120, ticket: await asStored(second.id) });
    expect(forSecond.map((d) => d.ticket.id)).toEqual([first.id]);
    expect(await likelyDuplicates(sql, { siteId, category: 'ehr', windowMinutes: 120, ticket: await asStored(first.id) })).toEqual([]);
  });

  it('openMajorIncidentFor names the oldest open major incident of the site and category, never a resolved one', async ({ database: { sql } }) => {
    const siteId = site();
    expect(await openMajorIncidentFor(sql, siteId, 'ehr')).toBeNull();
    await open(sql, { siteId, majorIncident: true, status: 'resolved', createdMinutesAgo: 90 });
    const older = await open(sql, { siteId, majorIncident: true, createdMinutesAgo: 60 });
    await open(sql, { siteId, majorIncident: true, createdMinutesAgo: 30 });
    await open(sql, { siteId, category: 'network', majorIncident: true, createdMinutesAgo: 120 });
    expect((await openMajorIncidentFor(sql, siteId, 'ehr'))?.id).toBe(older.id);
    expect(await openMajorIncidentFor(sql, siteId, 'ehr', older.id).then((t) => t?.id)).not.toBe(older.id);
  });
});

describe('automatic links', () => {
  it('stay pending until taken or refused; a failed attempt is counted and kept for the next round', async ({ database: { sql } }) => {
    const siteId = site();
    const parent = await open(sql, { siteId, majorIncident: true });
    const a = await open(sql, { siteId });
    const b = await open(sql, { siteId });
    await sql.begin(async (tx) => {
      await addAutoLink(tx, a.id, parent.id);
      await addAutoLink(tx, b.id, parent.id);
      await addAutoLink(tx, b.id, parent.id); // twice: one row
    });
    const mine = async () => (await pendingAutoLinks(sql)).filter((p) => p.parentTicketId === parent.id).map((p) => p.childTicketId);
    // Written in one transaction, they share created_at: the child's id orders them then.
    const both = [a.id, b.id].sort();
    expect(await mine()).toEqual(both);

    await recordAutoLinkAttempt(sql, a.id, null, 'Temporal unreachable');
    expect(await findAutoLink(sql, a.id)).toMatchObject({ attempts: 1, outcome: null, lastError: 'Temporal unreachable' });
    expect(await mine()).toEqual(both);

    await recordAutoLinkAttempt(sql, a.id, 'linked');
    await recordAutoLinkAttempt(sql, b.id, 'refused', 'the incident was resolved');
    expect(await mine()).toEqual([]);
    expect(await findAutoLink(sql, a.id)).toMatchObject({ attempts: 2, outcome: 'linked', lastError: null });
    expect(await findAutoLink(sql, b.id)).toMatchObject({ attempts: 1, outcome: 'refused', lastError: 'the incident was resolved' });
    // A finished link is not changed again.
    await recordAutoLinkAttempt(sql, a.id, null, 'late');
    expect(await findAutoLink(sql, a.id)).toMatchObject({ attempts: 2, outcome: 'linked' });
  });
});
