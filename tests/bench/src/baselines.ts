/**
 * The baselines: what the raw servers do on this machine, with the same number of calls in
 * flight as the Tierline benchmark that is compared to them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connectNats, createSql, ensureStreams, migrate, STREAMS } from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import { ratePerSecond, runConcurrently, summarize, type Summary } from './stats.js';
import { terminateTaskQueue, waitUntil } from './temporal.js';

export interface RateResult {
  count: number;
  perSecond: number;
  latencyMs: Summary;
}

/** Empty workflows started one call each, with a worker running them as they come (as the ticket worker does). */
export async function temporalStarts(n: number, concurrency: number): Promise<RateResult> {
  const env = testEnv();
  const taskQueue = `bench-empty-${randomBytes(4).toString('hex')}`;
  const workerConnection = await NativeConnection.connect({ address: env.temporalAddress });
  const worker = await Worker.create({
    connection: workerConnection,
    namespace: env.temporalNamespace,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./empty-workflow.ts', import.meta.url)),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: env.temporalAddress });
  const client = new Client({ connection, namespace: env.temporalNamespace });
  try {
    const r = await runConcurrently(n, concurrency, async () => {
      await client.workflow.start('emptyWorkflow', { taskQueue, workflowId: `bench-empty-${randomUUID()}`, args: [] });
    });
    // Let the worker finish them, so none stays open on the shared server.
    await waitUntil('the empty workflows to complete', 120_000, async () => (await client.workflow.count(`TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`)).count === 0);
    return { count: n, perSecond: ratePerSecond(n, r.elapsedMs), latencyMs: summarize(r.latenciesMs) };
  } finally {
    await terminateTaskQueue(client, taskQueue).catch(() => undefined);
    worker.shutdown();
    await running;
    await connection.close();
    await workerConnection.close();
  }
}

/** Ticket rows inserted one autocommit statement each into the ticket schema, as the API's insert. */
export async function postgresInserts(n: number, concurrency: number): Promise<RateResult> {
  const db = await createTestDatabase('benchpg');
  const sql = createSql(db.url, 'ticket', concurrency);
  try {
    await migrate(sql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
    const r = await runConcurrently(n, concurrency, async (i) => {
      const id = randomUUID();
      await sql`
        insert into tickets (id, number, title, description, category, site_id, requester_id, impact, urgency,
          patient_care_affected, priority, status, tier, policy_version, workflow_id)
        values (${id}, ${`IT-B${i}`}, 'Printer offline', '', 'printer_scanner', 'north', 'bench', 'one_user', 'low', false, 'P4', 'new', 1, 1, ${`ticket-${id}`})`;
    });
    return { count: n, perSecond: ratePerSecond(n, r.elapsedMs), latencyMs: summarize(r.latenciesMs) };
  } finally {
    await sql.end();
    await db.drop();
  }
}

/**
 * Event-sized messages published with a message id (as Tierline publishes), each awaited for its
 * stream acknowledgement, to a file-backed stream of the bench's own so no consumer sees them.
 */
export async function jetstreamPublishes(n: number, concurrency: number): Promise<RateResult> {
  const env = testEnv();
  const nc = await connectNats(env.natsUrl, 'bench-baseline');
  const suffix = randomBytes(4).toString('hex');
  const stream = `BENCH_${suffix}`;
  try {
    // The events stream's own settings (file storage, duplicate window) under the bench's name.
    await ensureStreams(nc, [{ ...STREAMS[0]!, name: stream, subjects: [`tierline-bench.${suffix}.>`] }]);
    const js = jetstream(nc);
    const payload = JSON.stringify({ id: randomUUID(), type: 'ticket.created', occurredAt: new Date().toISOString(), actor: { id: randomUUID(), role: 'clinic_staff' }, ticketId: randomUUID(), data: { number: 'IT-1001', priority: 'P4', siteId: 'north', category: 'printer', tier: 1, policyVersion: 1 }, schemaVersion: 1 });
    const r = await runConcurrently(n, concurrency, async () => {
      await js.publish(`tierline-bench.${suffix}.ticket.created`, payload, { msgID: randomUUID() });
    });
    return { count: n, perSecond: ratePerSecond(n, r.elapsedMs), latencyMs: summarize(r.latenciesMs) };
  } finally {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.drain();
  }
}
