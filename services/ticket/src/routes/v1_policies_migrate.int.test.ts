/**
 * POST /api/v1/policies/migrate against the real PostgreSQL, Keycloak, NATS JetStream and
 * Temporal: one ticket has a real ticket workflow (run by a worker on this file's own task
 * queue) and is migrated for real; the others have read-model rows only, which exercises the
 * selection and the "workflow does not exist" path.
 */
// First: keeps the Temporal worker's own logging to warnings.
import '@tierline/testing/quiet-temporal';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { EventEnvelope, Ticket } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';
import { DEFAULT_POLICY } from '@tierline/domain';
import { demoToken, subjectOf, type HttpCall } from '@tierline/test-fixtures';
import { getStateQuery, searchAttributesFor, TICKET_WORKFLOW_TYPE, ticketWorkflowId, type TicketWorkflowInput } from '@tierline/ticket-workflow';
import { ensureInitialPolicy } from '@tierline/ticket-store';
import { MIGRATION_BATCH_LIMIT } from './v1_policies_migrate.js';
import { startTicketWorker, ticketAppTest } from '../test/fixtures.js';

const test = ticketAppTest({ label: 'policymigrate', categories: ['printer_scanner'], events: ['tierline.events.policy.>', 'tierline.events.ticket.>'] })
  // A real ticket worker on the app's task queue, so the live ticket is migrated for real.
  .extend('worker', { scope: 'file' }, async ({ database, nats, app }, hooks) => startTicketWorker(app.taskQueue, { sql: database.sql, js: nats.js }, hooks));
let sql: Sql;
let temporal: Client;
let taskQueue = '';
let appCall: HttpCall;
let lee = '';
let leeId = '';
let received: EventEnvelope[] = [];

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const { status, body: json } = await appCall(lee, method, path, body, headers);
  return { status, body: json };
}

let seq = 5000;
function ticket(over: Partial<Ticket> = {}): Ticket {
  const id = randomUUID();
  const now = new Date().toISOString();
  return {
    id,
    number: `IT-${seq++}`,
    title: 'Printer jams',
    description: '',
    category: 'printer_scanner',
    siteId: 'north',
    requesterId: 'requester-1',
    impact: 'department',
    urgency: 'medium',
    patientCareAffected: false,
    priority: 'P3',
    status: 'new',
    tier: 1,
    policyVersion: 1,
    workflowId: ticketWorkflowId(id),
    teamId: null,
    assigneeId: null,
    vendorOrgId: null,
    majorIncident: false,
    incidentParentId: null,
    escalationLevel: 0,
    nextDeadlineAt: null,
    nextDeadlineKind: null,
    slaAtRisk: false,
    acknowledgedAt: null,
    resolvedAt: null,
    closedAt: null,
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}

/** A read-model row without a workflow. */
async function row(t: Ticket): Promise<string> {
  await sql`
    insert into tickets (id, number, title, category, site_id, requester_id, impact, urgency, priority, status, policy_version, workflow_id)
    values (${t.id}, ${t.number}, ${t.title}, ${t.category}, ${t.siteId}, ${t.requesterId}, ${t.impact}, ${t.urgency},
      ${t.priority}, ${t.status}, ${t.policyVersion}, ${t.workflowId})`;
  return t.id;
}

const ids: Record<'live' | 'orphan' | 'resolved' | 'current' | 'south', string> = { live: '', orphan: '', resolved: '', current: '', south: '' };

// Asking for the worker starts it before anything runs on its task queue.
test.beforeAll(async ({ database, temporal: client, app, events, worker: _worker }) => {
  sql = database.sql;
  temporal = client;
  taskQueue = app.taskQueue;
  appCall = app.call;
  received = events.received;
  lee = await demoToken('lee.lead');
  leeId = subjectOf(lee);

  // Version 1 is the seeded default; version 2 gives P3 a shorter response target.
  await ensureInitialPolicy(sql, DEFAULT_POLICY, 'system:test');
  // Before the first save, the draft is a copy of the newest version, at lockVersion 0.
  const fresh = await call('GET', '/api/v1/policies/draft');
  expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
  expect(fresh.body).toMatchObject({ valid: true, draft: { lockVersion: 0, basedOnVersion: 1, updatedBy: null, policy: { name: DEFAULT_POLICY.name } } });
  const v2 = structuredClone(DEFAULT_POLICY);
  const p3 = v2.rules.find((r) => r.priority === 'P3' && !r.categories)!;
  p3.responseTargetMinutes = Math.max(1, Math.floor(p3.responseTargetMinutes / 2));
  const put = await call('PUT', '/api/v1/policies/draft', v2, { 'if-match': '"0"' });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const pub = await call('POST', '/api/v1/policies/draft/publish');
  expect(pub.status, JSON.stringify(pub.body)).toBe(201);
  expect(pub.body.version).toBe(2);

  // A ticket with a live workflow on version 1.
  const live = ticket();
  const input: TicketWorkflowInput = { ticket: live, openedBy: { id: 'requester-1', role: 'clinic_staff' }, policy: { version: 1, policy: DEFAULT_POLICY } };
  await row(live);
  await temporal.workflow.start(TICKET_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: live.workflowId,
    args: [input],
    typedSearchAttributes: searchAttributesFor(live),
  });
  ids.live = live.id;
  ids.orphan = await row(ticket());
  ids.resolved = await row(ticket({ status: 'resolved' }));
  ids.current = await row(ticket({ policyVersion: 2 }));
  ids.south = await row(ticket({ siteId: 'south', priority: 'P4' }));
}, 180_000);

afterAll(async () => {
  if (ids.live) await temporal?.workflow.getHandle(ticketWorkflowId(ids.live)).terminate('test over').catch(() => undefined);
});

type Result = { ticketId: string; ok: boolean; fromVersion: number | null; error?: string };
const byId = (results: Result[]) => Object.fromEntries(results.map((r) => [r.ticketId, r]));

describe('POST /api/v1/policies/migrate', () => {
  it('narrows by filter, and reports a ticket without a workflow as failed with a clear error', async () => {
    const r = await call('POST', '/api/v1/policies/migrate', { toVersion: 2, filter: { siteId: 'south' }, reason: 'shorter P3 response' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ toVersion: 2, attempted: 1, succeeded: 0, failed: 1, truncated: false, limit: MIGRATION_BATCH_LIMIT });
    expect(r.body.results).toEqual([
      { ticketId: ids.south, ok: false, fromVersion: 1, error: `the ticket's workflow ${ticketWorkflowId(ids.south)} does not exist or has finished` },
    ]);
  });

  it('explains why named tickets were not migrated', async () => {
    const unknown = randomUUID();
    const r = await call('POST', '/api/v1/policies/migrate', {
      toVersion: 2,
      ticketIds: [ids.resolved, ids.current, unknown, ids.orphan],
      reason: 'named tickets',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const res = byId(r.body.results);
    expect(r.body.attempted).toBe(1);
    expect(res[ids.orphan]).toMatchObject({ ok: false, error: expect.stringMatching(/does not exist/) });
    expect(res[ids.resolved]).toMatchObject({ ok: false, error: 'ticket is resolved; only open tickets are migrated' });
    expect(res[ids.current]).toMatchObject({ ok: false, error: 'ticket is already on version 2' });
    expect(res[unknown]).toMatchObject({ ok: false, fromVersion: null, error: 'no such ticket' });
    const out = await call('POST', '/api/v1/policies/migrate', { toVersion: 2, ticketIds: [ids.orphan], filter: { siteId: 'south' }, reason: 'x-filter' });
    expect(out.body.results).toEqual([{ ticketId: ids.orphan, ok: false, fromVersion: 1, error: 'ticket does not match the filter' }]);
  });

  it('migrates a live ticket through its workflow, which records ticket.policy_migrated; the request is on record and audited', async () => {
    const r = await call('POST', '/api/v1/policies/migrate', { toVersion: 2, filter: {}, reason: 'roll out v2 to every open ticket' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const res = byId(r.body.results);
    expect(Object.keys(res).sort()).toEqual([ids.live, ids.orphan, ids.south].sort());
    expect(res[ids.live], JSON.stringify(res[ids.live])).toEqual({ ticketId: ids.live, ok: true, fromVersion: 1 });
    expect(r.body).toMatchObject({ attempted: 3, succeeded: 1, failed: 2 });

    const state = await temporal.workflow.getHandle(ticketWorkflowId(ids.live)).query(getStateQuery);
    expect(state.policyVersion).toBe(2);
    const [t] = await sql<{ policy_version: number }[]>`select policy_version from tickets where id = ${ids.live}`;
    expect(t!.policy_version).toBe(2);

    const [m] = await sql`select * from policy_migrations where id = ${r.body.migrationId}`;
    expect(m).toMatchObject({ to_version: 2, requested_by: leeId, reason: 'roll out v2 to every open ticket' });
    expect(m!.results).toEqual(r.body.results);

    const end = Date.now() + 10_000;
    let requested: EventEnvelope | undefined;
    let migrated: EventEnvelope | undefined;
    while (Date.now() < end && !(requested && migrated)) {
      requested = received.find((e) => e.type === 'policy.migration_requested' && e.data['migrationId'] === r.body.migrationId);
      migrated = received.find((e) => e.type === 'ticket.policy_migrated' && e.ticketId === ids.live);
      await new Promise((res2) => setTimeout(res2, 100));
    }
    expect(requested, 'policy.migration_requested on the stream').toBeDefined();
    expect(requested!.actor).toEqual({ kind: 'user', id: leeId, role: 'it_lead' });
    expect(requested!.data).toEqual({
      migrationId: r.body.migrationId,
      toVersion: 2,
      policyName: DEFAULT_POLICY.name,
      ticketIds: expect.arrayContaining([ids.live, ids.orphan, ids.south]),
      truncated: false,
    });
    expect(JSON.stringify(requested!.data)).not.toMatch(/roll out/);
    expect(migrated, 'ticket.policy_migrated from the workflow').toBeDefined();
    expect(migrated!.data).toMatchObject({ fromVersion: 1, toVersion: 2 });

    const again = await call('POST', '/api/v1/policies/migrate', { toVersion: 2, ticketIds: [ids.live], reason: 'twice' });
    expect(again.body.results).toEqual([{ ticketId: ids.live, ok: false, fromVersion: 2, error: 'ticket is already on version 2' }]);
  });

  it('caps a batch and says so', async () => {
    const values = Array.from({ length: MIGRATION_BATCH_LIMIT + 3 }, () => ticket({ siteId: 'bulk' }));
    await sql`insert into tickets ${sql(
      values.map((t) => ({
        id: t.id, number: t.number, title: t.title, category: t.category, site_id: t.siteId, requester_id: t.requesterId,
        impact: t.impact, urgency: t.urgency, priority: t.priority, status: t.status, policy_version: 1, workflow_id: t.workflowId,
      })),
    )}`;
    const r = await call('POST', '/api/v1/policies/migrate', { toVersion: 2, filter: { siteId: 'bulk' }, reason: 'bulk' });
    expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(200);
    expect(r.body).toMatchObject({ attempted: MIGRATION_BATCH_LIMIT, truncated: true, limit: MIGRATION_BATCH_LIMIT });
    expect(r.body.results).toHaveLength(MIGRATION_BATCH_LIMIT);
  }, 120_000);

  it('refuses an unknown version and a request that names no tickets', async () => {
    const nine = await call('POST', '/api/v1/policies/migrate', { toVersion: 9, filter: {}, reason: 'future' });
    expect(nine.status).toBe(404);
    expect(nine.body.error.message).toMatch(/no published policy version 9/);
    const none = await call('POST', '/api/v1/policies/migrate', { toVersion: 2, reason: 'which ones?' });
    expect(none.status).toBe(400);
    expect(none.body.error.details.map((d: { path: string }) => d.path)).toContain('filter');
    const closed = await call('POST', '/api/v1/policies/migrate', { toVersion: 2, filter: { status: 'closed' }, reason: 'closed' });
    expect(closed.status).toBe(400);
    expect(closed.body.error.details.map((d: { path: string }) => d.path)).toContain('filter.status');
    const noReason = await call('POST', '/api/v1/policies/migrate', { toVersion: 2, filter: {} });
    expect(noReason.body.error.details.map((d: { path: string }) => d.path)).toContain('reason');
  });
});
