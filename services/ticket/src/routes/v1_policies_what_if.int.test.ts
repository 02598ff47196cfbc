/**
 * POST /api/v1/policies/what-if against the real PostgreSQL, Keycloak, NATS JetStream and
 * Temporal: real ticket workflows (a worker on this file's own task queue) run on the current
 * version, people act on them through the API, and the what-if's replay of the current version
 * must reproduce exactly what those workflows recorded — pages, hand-offs, breaches — while a
 * draft with shorter minutes pages more. Tickets are opened a few minutes in the past (the
 * workflow fires at once what fell due since), so the minute-scale policy climbs without waiting.
 */
// First: keeps the Temporal worker's own logging to warnings.
import '@tierline/testing/quiet-temporal';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { EscalationPolicy, Priority, Ticket } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';
import { TEST_FAST_POLICY } from '@tierline/domain';
import { demoToken, eventually, type HttpCall } from '@tierline/test-fixtures';
import { searchAttributesFor, TICKET_WORKFLOW_TYPE, ticketWorkflowId, type TicketWorkflowInput } from '@tierline/ticket-workflow';
import { ensureInitialPolicy } from '@tierline/ticket-store';
import { startTicketWorker, ticketAppTest } from '../test/fixtures.js';

const test = ticketAppTest({ label: 'policywhatif', categories: ['network', 'printer_scanner'] }).extend('worker', { scope: 'file' }, async ({ database, nats, app }, hooks) =>
  startTicketWorker(app.taskQueue, { sql: database.sql, js: nats.js }, hooks),
);

/** The current version: the fast test policy, with a vendor contract too long to breach while the test runs. */
const CURRENT: EscalationPolicy = (() => {
  const p = structuredClone(TEST_FAST_POLICY);
  for (const r of p.rules) if (r.vendorContract) Object.assign(r.vendorContract, { responseTargetMinutes: 600, resolutionTargetMinutes: 1200 });
  return p;
})();

let sql: Sql;
let temporal: Client;
let taskQueue = '';
let call: HttpCall;
const tokens = { lee: '', alex: '', audrey: '' };
const started: string[] = [];
let seq = 9100;

async function open(priority: Priority, minutesAgo: number): Promise<string> {
  const id = randomUUID();
  const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const ticket: Ticket = {
    id,
    number: `IT-${seq++}`,
    title: 'Network drops',
    description: '',
    category: 'network',
    siteId: 'north',
    requesterId: 'requester-1',
    impact: 'department',
    urgency: 'medium',
    patientCareAffected: false,
    priority,
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
    createdAt: at,
    updatedAt: at,
  };
  const input: TicketWorkflowInput = { ticket, openedBy: { id: 'requester-1', role: 'clinic_staff' }, policy: { version: 1, policy: CURRENT } };
  await temporal.workflow.start(TICKET_WORKFLOW_TYPE, { taskQueue, workflowId: ticket.workflowId, args: [input], typedSearchAttributes: searchAttributesFor(ticket) });
  started.push(id);
  // The workflow writes the ticket's row as it opens; the API acts on it from then on.
  await recordedAtLeast(id, ['ticket.created'], 1);
  return id;
}

/** Waits until the workflow has written `n` timeline entries of these types. */
async function recordedAtLeast(ticketId: string, types: string[], n: number): Promise<void> {
  await eventually(`${n} × ${types.join('/')} on ${ticketId}`, async () => {
    const [r] = await sql<{ n: number }[]>`select count(*)::int as n from ticket_timeline where ticket_id = ${ticketId} and type in ${sql(types)}`;
    return r!.n >= n ? true : undefined;
  });
}

async function act(ticketId: string, action: string, body: unknown = {}): Promise<void> {
  const r = await call(tokens.lee, 'POST', `/api/v1/tickets/${ticketId}/${action}`, body);
  expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
}

const whatIf = (who: keyof typeof tokens, body: unknown) => call(tokens[who], 'POST', '/api/v1/policies/what-if', body);

const outcome = (o: Partial<{ tickets: number; pages: number; vendorPages: number; vendorHandOffs: number }>, breaches: Partial<Record<string, number>> = {}) => ({
  tickets: 0,
  pages: 0,
  vendorPages: 0,
  vendorHandOffs: 0,
  ...o,
  breaches: { response: 0, resolution: 0, vendor_response: 0, vendor_resolution: 0, ...breaches },
});

/** The draft: P2 and P3 climb (and breach) after one minute instead of two and three. */
function shorterDraft(): EscalationPolicy {
  const d = structuredClone(CURRENT);
  for (const r of d.rules) {
    if (r.priority !== 'P2' && r.priority !== 'P3') continue;
    r.responseTargetMinutes = 1;
    r.levels[0]!.after.minutes = 1;
  }
  return d;
}

test.beforeAll(async ({ database, temporal: client, app, worker: _worker }) => {
  sql = database.sql;
  temporal = client;
  taskQueue = app.taskQueue;
  call = app.call;
  const [lee, alex, audrey] = await Promise.all(['lee.lead', 'alex.agent', 'audrey.auditor'].map(demoToken));
  Object.assign(tokens, { lee, alex, audrey });
  await ensureInitialPolicy(sql, CURRENT, 'system:test');

  // P1 opened ten minutes ago, nobody touches it: the lead paged three times, the vendor once
  // (and handed the ticket by the policy), both clinic clocks breached.
  const p1 = await open('P1', 10);
  // P3 opened five minutes ago: it climbed to tier 2 at three minutes; then IT acknowledges and resolves it.
  const p3 = await open('P3', 5);
  // P2 opened 90 s ago: IT asks the requester, resumes, acknowledges and resolves within its two minutes.
  const p2 = await open('P2', 1.5);
  await act(p2, 'wait-on-requester', { reason: 'Which room?' });
  await act(p2, 'resume');
  await act(p2, 'acknowledge');
  await act(p2, 'resolve', { resolution: 'Cable reseated' });

  // P3 opened 4.5 minutes ago (climbed and breached its response at three), raised to P2: on the
  // P2 rule its resolution-clock level (four minutes, tier 3) has passed and fires at once, handing
  // it to the vendor. Then resolved, reopened (the resolution clock restarts) and resolved again.
  const raised = await open('P3', 4.5);
  await recordedAtLeast(raised, ['ticket.escalated'], 1);
  await act(raised, 'priority', { priority: 'P2', reason: 'Whole ward affected' });
  await recordedAtLeast(raised, ['ticket.escalated'], 2);
  await act(raised, 'acknowledge');
  await act(raised, 'resolve', { resolution: 'Router restarted' });
  await act(raised, 'reopen', { reason: 'Down again' });
  await act(raised, 'resolve', { resolution: 'Router replaced' });

  await recordedAtLeast(p1, ['ticket.escalated', 'ticket.escalation_repeated'], 4);
  await recordedAtLeast(p1, ['ticket.sla_breached'], 2);
  await recordedAtLeast(p3, ['ticket.escalated'], 1);
  await recordedAtLeast(p3, ['ticket.sla_breached'], 1);
  await act(p3, 'acknowledge');
  await act(p3, 'resolve', { resolution: 'Switch port re-enabled' });
  await recordedAtLeast(p3, ['ticket.resolved'], 1);
  await recordedAtLeast(p2, ['ticket.resolved'], 1);
  await recordedAtLeast(raised, ['ticket.resolved'], 2);
}, 180_000);

afterAll(async () => {
  await Promise.all(started.map((id) => temporal?.workflow.getHandle(ticketWorkflowId(id)).terminate('test over').catch(() => undefined)));
});

describe('POST /api/v1/policies/what-if', () => {
  it('the replay of the current version reproduces what its workflows recorded; a draft with shorter minutes pages more', async () => {
    const r = await whatIf('lee', { policy: shorterDraft(), days: 7 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ days: 7, currentVersion: 1, skipped: { current: 0, draft: 0 } });
    const rows = Object.fromEntries((r.body.rows as { priority: string }[]).map((row) => [row.priority, row])) as Record<string, Record<string, unknown>>;
    expect(Object.keys(rows)).toEqual(['P1', 'P2', 'P3']);

    // What the real workflows did, read from their timelines.
    expect(rows.P1!.recorded).toEqual(outcome({ tickets: 1, pages: 4, vendorPages: 1, vendorHandOffs: 1 }, { response: 1, resolution: 1 }));
    expect(rows.P2!.recorded).toEqual(outcome({ tickets: 2, pages: 2, vendorPages: 1, vendorHandOffs: 1 }, { response: 1 }));
    expect(rows.P3!.recorded).toEqual(outcome({ tickets: 1, pages: 1 }, { response: 1 }));
    // The replay of the current version reproduces it exactly, priority by priority.
    for (const p of ['P1', 'P2', 'P3']) {
      expect(rows[p]!.recordedReplay, `${p}: replay of the current version against the record`).toEqual(rows[p]!.recorded);
      expect(rows[p]!.current, `${p}: every ticket here ran on the current version`).toEqual(rows[p]!.recorded);
    }
    // The draft: the P2 acknowledged at 90 s would have climbed and breached at one minute; the raised one pages as it did.
    expect(rows.P2!.draft).toEqual(outcome({ tickets: 2, pages: 3, vendorPages: 1, vendorHandOffs: 1 }, { response: 2 }));
    expect(rows.P1!.draft).toEqual(rows.P1!.current);
    expect(r.body.total.current.pages).toBe(7);
    expect(r.body.total.draft.pages).toBe(8);
  });

  it('without a policy, replays the saved draft', async () => {
    const put = await call(tokens.lee, 'PUT', '/api/v1/policies/draft', shorterDraft(), { 'if-match': '"0"' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const r = await whatIf('lee', {});
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.days).toBe(90);
    // The body is optional: none at all is the same question.
    const bare = await call(tokens.lee, 'POST', '/api/v1/policies/what-if');
    expect(bare.status, JSON.stringify(bare.body)).toBe(200);
    expect(bare.body).toMatchObject({ days: 90, total: r.body.total });
    expect(r.body.total.draft.pages).toBe(8);
    expect(r.body.total.current.pages).toBe(7);
  });

  it('refuses a policy that fails validation (422 naming the path), more than 90 days (400), and anyone but an IT lead (403)', async () => {
    const bad = shorterDraft();
    bad.rules[0]!.calendar = 'nowhere';
    const invalid = await whatIf('lee', { policy: bad });
    expect(invalid.status, JSON.stringify(invalid.body)).toBe(422);
    expect(invalid.body.error.details.map((d: { path: string }) => d.path).join(' ')).toMatch(/rules\.0\.calendar/);

    const long = await whatIf('lee', { days: 91 });
    expect(long.status).toBe(400);
    expect(long.body.error.details.map((d: { path: string }) => d.path)).toContain('days');

    for (const who of ['alex', 'audrey'] as const) {
      const r = await whatIf(who, {});
      expect(r.status, `${who}: ${JSON.stringify(r.body)}`).toBe(403);
    }
  });
});
