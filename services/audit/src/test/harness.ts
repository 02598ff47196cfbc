import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createLogger, createSql, createTokenVerifier, listen, migrate, type Sql } from '@tierline/platform';
import { createTestDatabase, serviceLogin, testEnv } from '@tierline/testing';
import { createAuditApp } from '../app.js';
import { createAuditSql } from '../db.js';
import { createSigner, generateSigningKey, keyRing, type AuditSigner } from '../signing.js';
import { appendEvent } from '../store.js';
import { sampleEvent } from './fixtures.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
export const WRITER_ROLE = 'tierline_audit_writer';

/**
 * A fresh database migrated by the administrator (the superuser `tierline`, as the test server
 * has it; the tables then belong to tierline_audit_owner), the service's pool logged in as the
 * service's own login `tierline_audit` and running as the insert-only writer role, as in
 * production, and optionally the HTTP app with real Keycloak token verification.
 */
export async function startAudit(label: string, opts: { http?: boolean } = {}) {
  const env = testEnv();
  const logger = createLogger(`audit-${label}`, process.env.LOG_LEVEL ?? 'silent');
  const db = await createTestDatabase(label);
  const owner = createSql(db.url, 'audit', 2);
  await migrate(owner, { schema: 'audit', dir: MIGRATIONS_DIR });
  const sql = createAuditSql(await serviceLogin('audit', db.url), { role: WRITER_ROLE, max: 4 });
  const signer: AuditSigner = createSigner(generateSigningKey());
  let server: Awaited<ReturnType<typeof listen>> | null = null;
  if (opts.http) {
    const app = createAuditApp({
      sql,
      logger,
      signer,
      publicKeys: keyRing([signer.publicKey]),
      verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-audit' }),
    });
    server = await listen(app, 0);
  }
  return {
    db,
    owner,
    sql,
    signer,
    logger,
    baseUrl: server ? `http://127.0.0.1:${server.port}` : '',
    /** Appends `n` sample events through the service's own code path. */
    async append(n: number, overrides: Parameters<typeof sampleEvent>[1] = {}) {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const e = sampleEvent(i + 1, { id: randomUUID(), ...overrides });
        await appendEvent(sql, e);
        ids.push(e.id);
      }
      return ids;
    },
    async stop() {
      await server?.close();
      await sql.end();
      await owner.end();
      await db.drop();
    },
  };
}

export type AuditHarness = Awaited<ReturnType<typeof startAudit>>;

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

export function api(baseUrl: string, token?: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary response shapes
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, text, headers: res.headers };
  };
}

/** A demo user's access token (Keycloak's real login, retried when Keycloak refuses simultaneous logins). */
export { demoToken as tokenOf } from '@tierline/test-fixtures';
