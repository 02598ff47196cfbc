/**
 * Escalation lateness: how late after its deadline an escalation event reaches JetStream, with
 * many tickets open at once, on the real Temporal, PostgreSQL and NATS of this machine.
 *
 * Opens BENCH_TICKETS P1 tickets (default 1000) whose first level is due 60 s after opening,
 * through the same workflow, activities and worker as production (one worker in this process),
 * then listens on JetStream for their `ticket.escalated` events. Lateness = arrival of the event
 * - (opened + 60 s). Prints and returns p50 / p99 / max.
 */
import '@tierline/testing/quiet-temporal';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { jetstream, DeliverPolicy } from '@nats-io/jetstream';
import { EVENTS_STREAM, type EventEnvelope, type Ticket } from '@tierline/contracts';
import { connectNats, createSql, ensureStreams, migrate } from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { DEFAULT_POLICY } from '../src/policy/defaults.js';
import { TICKET_WORKFLOW_TYPE, ticketWorkflowId, type TicketWorkflowInput } from '../src/definitions.js';
import { createTicketWorker, NativeConnection } from '../src/worker-factory.js';
import type { EscalationPolicy } from '@tierline/contracts';

const N = Number(process.env.BENCH_TICKETS ?? 1000);
const DUE_MS = 60_000;

const policy: EscalationPolicy = {
  ...DEFAULT_POLICY,
  calendars: { always: { mode: '24x7', timeZone: 'UTC' } },
  rules: (['P1', 'P2', 'P3', 'P4'] as const).map((priority) => ({
    priority,
    calendar: 'always',
    responseTargetMinutes: 1,
    resolutionTargetMinutes: 600,
    warnings: [],
    levels: [{ after: { clock: 'response' as const, minutes: 1 }, tier: 2 as const, targets: [{ kind: 'it_lead' as const }], channels: ['email' as const] }],
  })),
};

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runEscalationLateness(n = N) {
  const env = testEnv();
  const db = await createTestDatabase('bench');
  const sql = createSql(db.url, 'ticket', 10);
  await migrate(sql, { schema: 'ticket', dir: fileURLToPath(new URL('../../services/ticket/migrations', import.meta.url)) });
  const nc = await connectNats(env.natsUrl, 'bench');
  await ensureStreams(nc);
  const js = jetstream(nc);
  const taskQueue = `bench-${randomUUID()}`;
  const workerConn = await NativeConnection.connect({ address: env.temporalAddress });
  const worker = await createTicketWorker({ connection: workerConn, namespace: env.temporalNamespace, taskQueue, deps: { sql, js } });
  const running = worker.run();
  const conn = await Connection.connect({ address: env.temporalAddress });
  const client = new Client({ connection: conn, namespace: env.temporalNamespace });

  const deadlines = new Map<string, number>();
  const lateness: number[] = [];
  const started = new Date();
  const oc = await js.consumers.get(EVENTS_STREAM, {
    filter_subjects: ['tierline.events.ticket.escalated'],
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: started.toISOString(),
  });
  const messages = await oc.consume();
  const done = (async () => {
    for await (const m of messages) {
      const arrived = Date.now();
      const e = m.json<EventEnvelope>();
      const due = e.ticketId ? deadlines.get(e.ticketId) : undefined;
      if (due === undefined) continue;
      deadlines.delete(e.ticketId!);
      lateness.push(arrived - due);
      if (lateness.length === n) break;
    }
  })();

  const t0 = Date.now();
  const startConcurrency = 32;
  let next = 0;
  await Promise.all(
    Array.from({ length: startConcurrency }, async () => {
      while (next < n) {
        const i = next++;
        const id = randomUUID();
        const now = new Date();
        const ticket: Ticket = {
          id, number: `BENCH-${i}`, title: 'bench', description: '', category: 'network', siteId: 'north', requesterId: 'bench',
          impact: 'whole_site', urgency: 'high', patientCareAffected: false, priority: 'P1', status: 'new', tier: 1, policyVersion: 1,
          workflowId: ticketWorkflowId(id), teamId: null, assigneeId: null, vendorOrgId: null, escalationLevel: 0, nextDeadlineAt: null,
          nextDeadlineKind: null, slaAtRisk: false, acknowledgedAt: null, resolvedAt: null, closedAt: null,
          createdAt: now.toISOString(), updatedAt: now.toISOString(),
        };
        deadlines.set(id, now.getTime() + DUE_MS);
        const input: TicketWorkflowInput = { ticket, openedBy: { id: 'bench', role: 'clinic_staff' }, policy: { version: 1, policy } };
        await client.workflow.start(TICKET_WORKFLOW_TYPE, { taskQueue, workflowId: ticket.workflowId, args: [input] });
      }
    }),
  );
  const startSeconds = (Date.now() - t0) / 1000;
  const timeout = setTimeout(() => void messages.close(), DUE_MS + startSeconds * 1000 + 120_000);
  await done;
  clearTimeout(timeout);
  await messages.close();

  // Tidy up: end the bench workflows, stop the worker, drop the database.
  const handles = client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` });
  for await (const w of handles) await client.workflow.getHandle(w.workflowId).terminate('benchmark finished').catch(() => undefined);
  worker.shutdown();
  await running;
  await nc.drain();
  await conn.close();
  await workerConn.close();
  await sql.end();
  await db.drop();

  const sorted = [...lateness].sort((a, b) => a - b);
  const result = {
    tickets: n,
    received: sorted.length,
    startRatePerSec: Math.round(n / startSeconds),
    p50Ms: pct(sorted, 50),
    p99Ms: pct(sorted, 99),
    maxMs: sorted[sorted.length - 1]!,
  };
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runEscalationLateness();
  console.log(JSON.stringify(r));
  if (r.received < r.tickets) process.exitCode = 1;
}
