import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM } from '@tierline/contracts';
import { createLogger, createTokenVerifier, type Logger, type NatsConnection, type Sql } from '@tierline/platform';
import { serviceLogin, testEnv } from '@tierline/testing';
import { cleanupStack, httpClient, migratedDatabase, serveApp, type FixtureHooks } from '@tierline/test-fixtures';
import { test } from 'vitest';
import { createAuditApp } from '../app.js';
import { startAuditConsumer } from '../consumer.js';
import { createAuditSql } from '../db.js';
import { migrateAudit } from '../migrations.js';
import { createSigner, generateSigningKey, keyRing, type AuditSigner } from '../signing.js';
import { appendEvent } from '../store.js';
import { sampleEvent } from './fixtures.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
export const WRITER_ROLE = 'tierline_audit_writer';

export interface AuditHarness {
  /** The file's database (its administrator's URL and name). */
  db: { url: string; name: string };
  /** The administrator's pool (the superuser `tierline`, as the test server has it). */
  owner: Sql;
  /** The service's pool: its own login `tierline_audit`, running as the insert-only writer role. */
  sql: Sql;
  signer: AuditSigner;
  logger: Logger;
  /** The HTTP app's base URL ('' without `http`). */
  baseUrl: string;
  /** Appends `n` sample events through the service's own code path. */
  append: (n: number, overrides?: Parameters<typeof sampleEvent>[1]) => Promise<string[]>;
}

/**
 * vitest fixtures (test.extend) for the audit service's tests, one set per test file: `database`,
 * a fresh database migrated by the administrator (the tables then belong to
 * tierline_audit_owner), and `audit`, the service's pool logged in as `tierline_audit` and running
 * as the insert-only writer role, as in production, with a signer and, with `http`, the HTTP app
 * with real Keycloak token verification served on a free port. Torn down after the file.
 */
export function auditTest(label: string, opts: { http?: boolean } = {}) {
  return test
    .extend('database', { scope: 'file' }, migratedDatabase({ label, schema: 'audit', migrations: MIGRATIONS_DIR, max: 2 }))
    .extend('audit', { scope: 'file' }, async ({ database }, { onCleanup }): Promise<AuditHarness> => {
      const env = testEnv();
      const logger = createLogger(`audit-${label}`, process.env.LOG_LEVEL ?? 'silent');
      const sql = createAuditSql(await serviceLogin('audit', database.url), { role: WRITER_ROLE, max: 4 });
      // vitest takes one cleanup per fixture: the server's, then the pool's.
      const parts = cleanupStack();
      onCleanup(parts.run);
      parts.onCleanup(() => sql.end());
      const signer: AuditSigner = createSigner(generateSigningKey());
      let baseUrl = '';
      if (opts.http) {
        const app = createAuditApp({
          sql,
          logger,
          signer,
          publicKeys: keyRing([signer.publicKey]),
          verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-audit' }),
        });
        baseUrl = (await serveApp(app, parts)).baseUrl;
      }
      return {
        db: { url: database.url, name: database.name },
        owner: database.sql,
        sql,
        signer,
        logger,
        baseUrl,
        async append(n, overrides = {}) {
          const ids: string[] = [];
          for (let i = 0; i < n; i++) {
            const e = sampleEvent(i + 1, { id: randomUUID(), ...overrides });
            await appendEvent(sql, e);
            ids.push(e.id);
          }
          return ids;
        },
      };
    });
}

/**
 * The audit service's event consumer on `nc` and the pool `sql`, reading the events stream from
 * now on through a durable of its own (`<name>-<random>`): what records the events a test
 * publishes in the audit log. Stopped and its durable deleted after; returns the durable's name.
 */
export async function consumeEvents(o: { nc: NatsConnection; sql: Sql; logger: Logger; name: string }, { onCleanup }: FixtureHooks): Promise<string> {
  const durable = `${o.name}-${randomBytes(4).toString('hex')}`;
  const consumer = await startAuditConsumer({ nc: o.nc, sql: o.sql, logger: o.logger, durable, deliverNew: true });
  onCleanup(async () => {
    await consumer.stop();
    const jsm = await jetstreamManager(o.nc);
    await jsm.consumers.delete(EVENTS_STREAM, durable).catch(() => undefined);
  });
  return durable;
}

export interface AuditRecorder {
  /** The consumer's pool: `tierline_audit` in the writer role (it may read the log too). */
  sql: Sql;
  durable: string;
}

/**
 * The audit log of a test that runs other services, in their test database (`dbUrl`, the
 * administrator's URL): the audit schema migrated by the administrator as `tierline-audit
 * migrate` does, and the audit consumer (consumeEvents) writing as the service's own login in the
 * insert-only writer role, as in production. The body of an `audit` fixture; stops after.
 */
export async function auditRecorder(o: { dbUrl: string; nc: NatsConnection; logger: Logger; name: string }, { onCleanup }: FixtureHooks): Promise<AuditRecorder> {
  await migrateAudit(o.dbUrl);
  const parts = cleanupStack();
  onCleanup(parts.run);
  const sql = createAuditSql(await serviceLogin('audit', o.dbUrl), { role: WRITER_ROLE, max: 3 });
  parts.onCleanup(() => sql.end());
  const durable = await consumeEvents({ ...o, sql }, parts);
  return { sql, durable };
}

/**
 * What an attacker with database administrator rights can do: switch the append-only triggers
 * off, change rows, switch them back on. Runs as the superuser administrator.
 */
export async function tamper(owner: Sql, change: (tx: Sql) => Promise<unknown>): Promise<void> {
  await owner.begin(async (tx) => {
    await tx`alter table audit_log disable trigger audit_log_append_only`;
    await tx`alter table audit_checkpoints disable trigger audit_checkpoints_append_only`;
    await change(tx as unknown as Sql);
    await tx`alter table audit_log enable trigger audit_log_append_only`;
    await tx`alter table audit_checkpoints enable trigger audit_checkpoints_append_only`;
  });
}

/** `call(method, path, body?)` against the app as `token`'s user (none: anonymous). */
export function api(baseUrl: string, token?: string) {
  const call = httpClient(baseUrl);
  return (method: string, path: string, body?: unknown) => call(token ?? null, method, path, body);
}

/** A demo user's access token (Keycloak's real login, retried when Keycloak refuses simultaneous logins). */
export { demoToken as tokenOf } from '@tierline/test-fixtures';
