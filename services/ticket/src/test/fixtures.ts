/**
 * vitest fixtures for the ticket service's tests (test.extend): a migrated database and a NATS
 * connection with the streams declared, each set up once per test file and torn down after it,
 * instead of a beforeAll/afterAll pair rebuilt in every file. A test names what it needs
 * (`async ({ database, nats }) => …`) and gets nothing it does not ask for.
 */
import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import { connectNats, createSql, ensureStreams, migrate } from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { TICKET_MIGRATIONS_DIR } from '@tierline/ticket-store';
import { test } from 'vitest';

export const TICKET_MIGRATIONS = fileURLToPath(TICKET_MIGRATIONS_DIR);

export const ticketTest = test
  // A fresh database per file, migrated like the service does at start-up.
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; none here
  .extend('database', { scope: 'file' }, async ({}, { onCleanup }) => {
    const db = await createTestDatabase('ticket');
    const sql = createSql(db.url, 'ticket', 10);
    await migrate(sql, { schema: 'ticket', dir: TICKET_MIGRATIONS });
    onCleanup(async () => {
      await sql.end();
      await db.drop();
    });
    return { url: db.url, sql };
  })
  // The real NATS, logged in as the tests' user, with Tierline's streams.
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; none here
  .extend('nats', { scope: 'file' }, async ({}, { onCleanup }) => {
    const nc = await connectNats(testEnv().natsUrl, 'it-ticket');
    await ensureStreams(nc);
    onCleanup(() => nc.drain());
    return { nc, js: jetstream(nc) };
  });
