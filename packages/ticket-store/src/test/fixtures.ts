/**
 * vitest fixtures for the store's tests: a database of the test file's own, migrated with the
 * ticket schema's migrations like the service does at start-up, and a NATS connection with
 * Tierline's streams (for the outbox). Each is set up once per file and torn down after it.
 */
import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import { connectNats, createSql, ensureStreams, migrate } from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { test } from 'vitest';
import { TICKET_MIGRATIONS_DIR } from '../index.js';

export const storeTest = test
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; none here
  .extend('database', { scope: 'file' }, async ({}, { onCleanup }) => {
    const db = await createTestDatabase('tstore');
    const sql = createSql(db.url, 'ticket', 10);
    await migrate(sql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
    onCleanup(async () => {
      await sql.end();
      await db.drop();
    });
    return { url: db.url, sql };
  })
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; none here
  .extend('nats', { scope: 'file' }, async ({}, { onCleanup }) => {
    const nc = await connectNats(testEnv().natsUrl, 'it-ticket-store');
    await ensureStreams(nc);
    onCleanup(() => nc.drain());
    return { nc, js: jetstream(nc) };
  });
