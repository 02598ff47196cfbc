import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM } from '@tierline/contracts';
import { connectNats, createLogger, createMetrics, createSql, createTokenVerifier, ensureStreams, listen, migrate, type Logger } from '@tierline/platform';
import { createTestDatabase, serviceLogin, testEnv } from '@tierline/testing';
import { createObjectStore, createTicketApp, ensureInitialPolicy, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import { TEST_FAST_POLICY } from '@tierline/domain';
import type { EscalationPolicy } from '@tierline/contracts';
import { AUDIT_MIGRATIONS_DIR, createAuditSql, startAuditConsumer } from '@tierline/audit';
import { createTicketWorker, NativeConnection } from '@tierline/workflows/worker';
import { temporalClientInterceptors } from '@tierline/ticket-workflow/client-tracing';
import { DEFAULT_CATEGORIES } from '@tierline/contracts';

/**
 * Runs the ticket service, the worker and the audit consumer in this process against the real
 * PostgreSQL, NATS JetStream, Temporal and Keycloak, isolated per test file by a fresh database,
 * a unique task queue and a unique durable consumer.
 */
export async function startSlice(label: string, opts: { policy?: EscalationPolicy; notifySubject?: string; logger?: Logger } = {}) {
  const env = testEnv();
  const logger = opts.logger ?? createLogger(`it-${label}`, process.env.LOG_LEVEL ?? 'silent');
  const suffix = randomBytes(4).toString('hex');
  const db = await createTestDatabase(label);
  // The ticket service and the worker run as their own logins, as everywhere (decision 21): the
  // ticket login migrates its schema, the worker's may only read and write its tables.
  const ticketSql = createSql(await serviceLogin('ticket', db.url), 'ticket', 5);
  await migrate(ticketSql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
  const workerSql = createSql(await serviceLogin('worker', db.url), 'ticket', 3);
  // The audit schema is migrated by the administrator; the consumer writes as the service's own login.
  const auditAdmin = createSql(db.url, 'audit', 1);
  await migrate(auditAdmin, { schema: 'audit', dir: fileURLToPath(AUDIT_MIGRATIONS_DIR) });
  await auditAdmin.end();
  const auditSql = createAuditSql(await serviceLogin('audit', db.url), { role: 'tierline_audit_writer', max: 5 });
  // Minute-scale clocks, so escalations happen within a test run.
  await ensureInitialPolicy(ticketSql, opts.policy ?? TEST_FAST_POLICY, 'system:test');

  const nc = await connectNats(env.natsUrl, `it-${label}`);
  await ensureStreams(nc);
  const durable = `it-audit-${label}-${suffix}`;
  const audit = await startAuditConsumer({ nc, sql: auditSql, logger, durable, deliverNew: true });

  const taskQueue = `it-${label}-${suffix}`;
  const workerMetrics = createMetrics('worker', { defaultMetrics: false });
  const workerConnection = await NativeConnection.connect({ address: env.temporalAddress });
  const worker = await createTicketWorker({
    connection: workerConnection,
    namespace: env.temporalNamespace,
    taskQueue,
    deps: { sql: workerSql, js: jetstream(nc), metrics: workerMetrics, ...(opts.notifySubject ? { notifySubject: opts.notifySubject } : {}) },
  });
  const workerRun = worker.run();

  const connection = await Connection.connect({ address: env.temporalAddress });
  // With tracing on (tracing.int.test.ts), workflow starts carry the request's trace context.
  const temporal = new Client({ connection, namespace: env.temporalNamespace, interceptors: temporalClientInterceptors() });
  const objects = createObjectStore(env.objectStore);
  const app = createTicketApp({
    sql: ticketSql,
    temporal,
    js: jetstream(nc),
    taskQueue,
    verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-ticket' }),
    logger,
    categories: [...DEFAULT_CATEGORIES],
    objects,
  });
  const server = await listen(app, 0);
  const baseUrl = `http://127.0.0.1:${server.port}`;

  return {
    baseUrl,
    temporal,
    ticketSql,
    auditSql,
    js: jetstream(nc),
    taskQueue,
    workerMetrics,
    async stop() {
      await server.close();
      worker.shutdown();
      await workerRun;
      await audit.stop();
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.delete(EVENTS_STREAM, durable).catch(() => undefined);
      await nc.drain();
      await connection.close();
      await workerConnection.close();
      objects.close();
      await ticketSql.end();
      await workerSql.end();
      await auditSql.end();
      await db.drop();
    },
  };
}

export type Slice = Awaited<ReturnType<typeof startSlice>>;

/**
 * Polls until `check` returns a value other than undefined, or fails naming what it waited for.
 * The default leaves the slack of a loaded 2-core CI runner (a minute): it costs nothing when the
 * value comes, as it does in a second on a quiet machine.
 */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

export function api(baseUrl: string, token?: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary response shapes
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  };
}
