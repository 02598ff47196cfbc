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
import { testEnv } from '@tierline/testing';
import { collectEvents, migratedDatabase, natsWithStreams, serveApp, temporalClient, type FixtureHooks, type MigratedDatabase, type NatsStreams } from '@tierline/test-fixtures';
import { TICKET_MIGRATIONS_DIR } from '@tierline/ticket-store';
import { test } from 'vitest';
import { createTicketApp } from '../app.js';
import { createObjectStore } from '../attachments/object-store.js';
import type { TicketDeps } from '../deps.js';

export const TICKET_MIGRATIONS = fileURLToPath(TICKET_MIGRATIONS_DIR);

/** The ticket service's database (its migrations) and NATS with Tierline's streams. */
export function ticketBaseTest(label = 'ticket') {
  return test
    .extend('database', { scope: 'file' }, migratedDatabase({ label, schema: 'ticket', migrations: TICKET_MIGRATIONS, max: 10 }))
    .extend('nats', { scope: 'file' }, natsWithStreams(`it-${label}`));
}

export const ticketTest = ticketBaseTest();

export interface TicketAppTestOptions {
  /** Names the database, the NATS connection, the logger and the task queue. */
  label: string;
  /** The clinic's categories as the service's CATEGORIES has them. */
  categories: string[];
  /** Events stream subjects collected from the start into `events.received` (none when absent). */
  events?: string[];
  /**
   * Deps that differ from the service's own wiring (e.g. a verifier of a test's own keys); what
   * they start is stopped through `onCleanup`, after the server.
   */
  deps?: (fixtures: { database: MigratedDatabase; nats: NatsStreams } & FixtureHooks) => Partial<TicketDeps> | Promise<Partial<TicketDeps>>;
}

/**
 * The ticket app as main.ts wires it — the file's database, NATS (events and the live stream),
 * Temporal on a task queue of the file's own, Keycloak's tokens for `tierline-ticket` — served
 * on a free port (`app.baseUrl`, `app.call(token, method, path, body?)`).
 */
export function ticketAppTest(o: TicketAppTestOptions) {
  const taskQueue = `it-${o.label}-${randomBytes(4).toString('hex')}`;
  return ticketBaseTest(o.label)
    .extend('temporal', { scope: 'file' }, temporalClient())
    .extend('events', { scope: 'file' }, async ({ nats }, hooks) => collectEvents(nats.js, o.events ?? [], hooks))
    .extend('app', { scope: 'file' }, async ({ database, nats, temporal }, { onCleanup }) => {
      const env = testEnv();
      // vitest takes one cleanup per fixture: the server's and those of what `deps` started, last first.
      const cleanups: (() => void | Promise<void>)[] = [];
      onCleanup(async () => {
        for (const cleanup of cleanups) await cleanup();
      });
      // The test run's object store (versitygw), as main.ts wires S3_*.
      const objects = createObjectStore(env.objectStore);
      cleanups.push(() => objects.close());
      const own = o.deps ? await o.deps({ database, nats, onCleanup: (fn) => cleanups.unshift(fn) }) : {};
      const deps: TicketDeps = {
        sql: database.sql,
        temporal,
        taskQueue,
        js: nats.js,
        nc: nats.nc,
        verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-ticket' }),
        logger: createLogger(`it-${o.label}`, process.env.LOG_LEVEL ?? 'silent'),
        categories: o.categories,
        objects,
        ...own,
      };
      const served = await serveApp(createTicketApp(deps), { onCleanup: (fn) => cleanups.unshift(fn) });
      return { ...served, taskQueue: deps.taskQueue };
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
