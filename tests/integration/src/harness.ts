import { randomBytes } from 'node:crypto';
import { test } from 'vitest';
import { DEFAULT_CATEGORIES, type EscalationPolicy } from '@tierline/contracts';
import { TEST_FAST_POLICY } from '@tierline/domain';
import { createLogger, createMetrics, createSql, type Logger } from '@tierline/platform';
import { serviceLogin } from '@tierline/testing';
import { cleanupStack, httpClient, migratedDatabase, natsWithStreams, temporalClient, type FixtureHooks } from '@tierline/test-fixtures';
import { ensureInitialPolicy } from '@tierline/ticket';
import { startTicketApp, startTicketWorker, TICKET_MIGRATIONS } from '@tierline/ticket/test-fixtures';
import { auditRecorder } from '@tierline/audit/test-harness';
import { temporalClientInterceptors } from '@tierline/ticket-workflow/client-tracing';

export { eventually } from '@tierline/test-fixtures';

export interface SliceOptions {
  /** The published policy (default: the minute-scale TEST_FAST_POLICY, so escalations happen within a run). */
  policy?: EscalationPolicy;
  /** Where the worker sends notify commands (a test's own subject, read by its own notifier). */
  notifySubject?: string;
  /** The ticket service's and the audit consumer's logger (silent by default). */
  logger?: Logger;
}

/**
 * The ticket service, the worker and the audit consumer in this process against the real
 * PostgreSQL, NATS JetStream, Temporal and Keycloak, isolated by a fresh database, a task queue
 * and a durable consumer of their own, built from the fixtures' bodies. Everything it starts is
 * stopped through `onCleanup`, last first.
 */
async function buildSlice(label: string, opts: SliceOptions, { onCleanup }: FixtureHooks) {
  const parts = cleanupStack();
  onCleanup(parts.run);
  const logger = opts.logger ?? createLogger(`it-${label}`, process.env.LOG_LEVEL ?? 'silent');
  // The ticket service and the worker run as their own logins, as everywhere (decision 21): the
  // ticket login migrates its schema, the worker's may only read and write its tables.
  const database = await migratedDatabase({ label, schema: 'ticket', migrations: TICKET_MIGRATIONS, login: 'ticket' })({}, parts);
  await ensureInitialPolicy(database.sql, opts.policy ?? TEST_FAST_POLICY, 'system:test');
  const nats = await natsWithStreams(`it-${label}`)({}, parts);
  // The audit schema is migrated by the administrator; the consumer writes as the service's own login.
  const audit = await auditRecorder({ dbUrl: database.url, nc: nats.nc, logger, name: `it-audit-${label}` }, parts);

  const taskQueue = `it-${label}-${randomBytes(4).toString('hex')}`;
  const workerSql = createSql(await serviceLogin('worker', database.url), 'ticket', 3);
  parts.onCleanup(() => workerSql.end());
  const workerMetrics = createMetrics('worker', { defaultMetrics: false });
  await startTicketWorker(taskQueue, { sql: workerSql, js: nats.js, metrics: workerMetrics, ...(opts.notifySubject ? { notifySubject: opts.notifySubject } : {}) }, parts);

  // With tracing on (tracing.int.test.ts), workflow starts carry the request's trace context.
  const temporal = await temporalClient({ interceptors: () => temporalClientInterceptors() })({}, parts);
  const app = await startTicketApp({ label, categories: [...DEFAULT_CATEGORIES], taskQueue, deps: () => ({ logger }) }, { database, nats, temporal }, parts);
  return { baseUrl: app.baseUrl, temporal, ticketSql: database.sql, auditSql: audit.sql, js: nats.js, taskQueue, workerMetrics };
}

export type Slice = Awaited<ReturnType<typeof buildSlice>>;

/**
 * vitest fixtures (test.extend) for the end-to-end tests: `slice`, the ticket service, the worker
 * and the audit consumer (buildSlice), one per test file, torn down after it. A file takes it in
 * `test.beforeAll(({ slice }) => …)` or in a test.
 */
export function sliceTest(label: string, opts: SliceOptions = {}) {
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; none here
  return test.extend('slice', { scope: 'file' }, async ({}, hooks) => buildSlice(label, opts, hooks));
}

export type StartedSlice = Slice & { stop: () => Promise<void> };

/**
 * The same slice with a `stop()` of its own, for a file that is not written with the fixtures
 * (the authorization-matrix files, kept as they are).
 */
export async function startSlice(label: string, opts: SliceOptions = {}): Promise<StartedSlice> {
  const parts = cleanupStack();
  try {
    return { ...(await buildSlice(label, opts, parts)), stop: parts.run };
  } catch (err) {
    await parts.run().catch(() => undefined);
    throw err;
  }
}

/** `call(method, path, body?, headers?)` against `baseUrl` as `token`'s user (none: anonymous). */
export function api(baseUrl: string, token?: string) {
  const call = httpClient(baseUrl);
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(token ?? null, method, path, body, headers);
}
