/**
 * vitest fixtures for tests of the ticket service (test.extend), built from the generic ones in
 * @tierline/test-fixtures: a migrated database and a NATS connection with the streams, and, with
 * `ticketAppTest`, a Temporal client and the real ticket app served on a free port. Each is set
 * up once per test file and torn down after it, instead of a beforeAll/afterAll pair rebuilt in
 * every file. A test (or a `beforeAll` of the extended test) names what it needs
 * (`async ({ database, app }) => …`) and gets nothing it does not ask for.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { EVENT_SCHEMA_VERSION } from '@tierline/contracts';
import { createLogger, createTokenVerifier, publishEvent, type JetStreamClient, type Sql } from '@tierline/platform';
import { testEnv, type ServiceWithLogin } from '@tierline/testing';
import type { Client } from '@temporalio/client';
import { cleanupStack, collectEvents, migratedDatabase, natsWithStreams, serveApp, temporalClient, type FixtureHooks, type MigratedDatabase, type NatsStreams, type RunningApp } from '@tierline/test-fixtures';
import { temporalClientInterceptors } from '@tierline/ticket-workflow/client-tracing';
import { TICKET_MIGRATIONS_DIR } from '@tierline/ticket-store';
import { createTicketWorker, NativeConnection } from '@tierline/workflows/worker';
import { test } from 'vitest';
import { createTicketApp } from '../app.js';
import { createObjectStore } from '../attachments/object-store.js';
import type { TicketDeps } from '../deps.js';

export const TICKET_MIGRATIONS = fileURLToPath(TICKET_MIGRATIONS_DIR);

/**
 * The ticket service's database (its migrations) and NATS with Tierline's streams. The pool is
 * the administrator's unless `login` names the service's own (`'ticket'`, decision 21).
 */
export function ticketBaseTest(label = 'ticket', login?: ServiceWithLogin) {
  return test
    .extend('database', { scope: 'file' }, migratedDatabase({ label, schema: 'ticket', migrations: TICKET_MIGRATIONS, max: 10, ...(login ? { login } : {}) }))
    .extend('nats', { scope: 'file' }, natsWithStreams(`it-${label}`));
}

export const ticketTest = ticketBaseTest();

export interface TicketAppOptions {
  /** Names the logger and the task queue. */
  label: string;
  /** The clinic's categories as the service's CATEGORIES has them. */
  categories: string[];
  /** The Temporal task queue its workflows start on (one of its own when absent). */
  taskQueue?: string;
  /**
   * Deps that differ from the service's own wiring (e.g. a verifier of a test's own keys, a
   * logger the test reads); what they start is stopped through `onCleanup`, after the server.
   */
  deps?: (fixtures: { database: MigratedDatabase; nats: NatsStreams } & FixtureHooks) => Partial<TicketDeps> | Promise<Partial<TicketDeps>>;
}

/** What the ticket app runs on: the fixtures it is built from. */
export interface TicketAppParts {
  database: MigratedDatabase;
  nats: NatsStreams;
  temporal: Client;
}

/**
 * The ticket app as main.ts wires it — the database, NATS (events and the live stream), Temporal
 * on the task queue, Keycloak's tokens for `tierline-ticket` — served on a free port
 * (`baseUrl`, `call(token, method, path, body?)`) and stopped after: the body of an `app`
 * fixture, and of a second app on the same parts (another replica, a broken dependency).
 */
export async function startTicketApp(o: TicketAppOptions, { database, nats, temporal }: TicketAppParts, { onCleanup }: FixtureHooks): Promise<RunningApp & { taskQueue: string }> {
  const env = testEnv();
  // vitest takes one cleanup per fixture: the server's and those of what `deps` started, last first.
  const parts = cleanupStack();
  onCleanup(parts.run);
  // The test run's object store (versitygw), as main.ts wires S3_*.
  const objects = createObjectStore(env.objectStore);
  parts.onCleanup(() => objects.close());
  const own = o.deps ? await o.deps({ database, nats, onCleanup: parts.onCleanup }) : {};
  const deps: TicketDeps = {
    sql: database.sql,
    temporal,
    taskQueue: o.taskQueue ?? `it-${o.label}-${randomBytes(4).toString('hex')}`,
    js: nats.js,
    nc: nats.nc,
    verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-ticket' }),
    logger: createLogger(`it-${o.label}`, process.env.LOG_LEVEL ?? 'silent'),
    categories: o.categories,
    objects,
    ...own,
  };
  const served = await serveApp(createTicketApp(deps), parts);
  return { ...served, taskQueue: deps.taskQueue };
}

export interface TicketAppTestOptions extends TicketAppOptions {
  /** Events stream subjects collected from the start into `events.received` (none when absent). */
  events?: string[];
  /** The database's pool as the service's own login (`'ticket'`) rather than the administrator. */
  login?: ServiceWithLogin;
}

/**
 * The ticket app (startTicketApp) on the file's database, NATS and Temporal client
 * (`app.baseUrl`, `app.call(token, method, path, body?)`, `app.taskQueue`).
 */
export function ticketAppTest(o: TicketAppTestOptions) {
  return ticketBaseTest(o.label, o.login)
    // With tracing on (as a test may turn it on before), workflow starts carry the request's trace, as main.ts has it.
    .extend('temporal', { scope: 'file' }, temporalClient({ interceptors: () => temporalClientInterceptors() }))
    .extend('events', { scope: 'file' }, async ({ nats }, hooks) => collectEvents(nats.js, o.events ?? [], hooks))
    .extend('app', { scope: 'file' }, async ({ database, nats, temporal }, hooks) => startTicketApp(o, { database, nats, temporal }, hooks));
}

export type TicketWorkerDeps = Parameters<typeof createTicketWorker>[0]['deps'];

/**
 * The ticket workflow's worker (workflows/, as the worker process runs it) on `taskQueue` of the
 * real Temporal, with its activities on `deps` (its pool, JetStream, where it sends notify
 * commands, its metrics); shut down after. The body of a `worker` fixture.
 */
export async function startTicketWorker(taskQueue: string, deps: TicketWorkerDeps, { onCleanup }: FixtureHooks): Promise<void> {
  const env = testEnv();
  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  const worker = await createTicketWorker({ connection, namespace: env.temporalNamespace, taskQueue, deps }).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  const run = worker.run();
  onCleanup(async () => {
    worker.shutdown();
    await run;
    await connection.close();
  });
}

let seq = 7000;

/** A ticket's read-model row as the workflow's activities write it, without a workflow. */
export async function insertTicketRow(
  sql: Sql,
  over: { siteId?: string; requesterId?: string; tier?: number; vendorOrgId?: string | null; category?: string; title?: string; priority?: string; urgency?: string } = {},
): Promise<string> {
  const id = randomUUID();
  await sql`
    insert into tickets (id, number, title, category, site_id, requester_id, impact, urgency, priority, status, tier, vendor_org_id, policy_version, workflow_id)
    values (${id}, ${`IT-${seq++}`}, ${over.title ?? 'Label printer prints blank pages'}, ${over.category ?? 'printer_scanner'}, ${over.siteId ?? 'north'},
      ${over.requesterId ?? 'someone-else'}, 'department', ${over.urgency ?? 'medium'}, ${over.priority ?? 'P3'}, 'new', ${over.tier ?? 1},
      ${over.vendorOrgId ?? null}, 1, ${`ticket-${id}`})`;
  return id;
}

/** Publishes a ticket event on JetStream as the worker does; returns its id. */
export async function publishTicketEvent(js: JetStreamClient, ticketId: string, type = 'ticket.acknowledged', data: Record<string, unknown> = {}, actorId = 'it-events-stream'): Promise<string> {
  const id = randomUUID();
  await publishEvent(js, { id, type, occurredAt: new Date().toISOString(), actor: { kind: 'system', id: actorId }, ticketId, data, schemaVersion: EVENT_SCHEMA_VERSION });
  return id;
}
