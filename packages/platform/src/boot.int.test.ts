/** bootService against the real PostgreSQL and NATS: the start-up order every service relies on. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { bootService, type ServiceCore } from './boot.js';
import { createSql } from './db.js';
import { listen } from './http.js';
import { revokeUser } from './revocation.js';

const ISSUER = 'http://issuer.test/realms/tierline';
const AUDIENCE = 'tierline-boot-test';

// The shape of a service's schema (services/*/src/env.ts), cut down to what bootService reads.
const envSchema = z.object({
  LOG_LEVEL: z.string().default('silent'),
  PORT: z.coerce.number().int().default(0),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().regex(/^postgres/, 'must be a postgres:// URL'),
  NATS_URL: z.string(),
  KEYCLOAK_ISSUER: z.string(),
  JWKS_URL: z.string(),
  TOKEN_AUDIENCE: z.string(),
});
type Env = z.infer<typeof envSchema>;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let migrations: string;
let jwks: Awaited<ReturnType<typeof listen>>;
let sign: (sub: string) => Promise<string>;
let envSource: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await createTestDatabase('boot');
  migrations = await mkdtemp(join(tmpdir(), 'boot-mig-'));
  await writeFile(join(migrations, '001_things.sql'), 'create table things (id int primary key);');
  // The realm's key set, served like Keycloak's certs endpoint.
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'boot-test', alg: 'RS256', use: 'sig' };
  jwks = await listen(new Hono().get('/certs', (c) => c.json({ keys: [jwk] })), 0);
  sign = (sub) =>
    new SignJWT({ typ: 'Bearer', realm_access: { roles: ['clinic_staff'] } })
      .setProtectedHeader({ alg: 'RS256', kid: 'boot-test' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  envSource = {
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: db.url,
    NATS_URL: testEnv().natsUrl,
    KEYCLOAK_ISSUER: ISSUER,
    JWKS_URL: `http://127.0.0.1:${jwks.port}/certs`,
    TOKEN_AUDIENCE: AUDIENCE,
  };
});

afterAll(async () => {
  await jwks?.close();
  await db?.drop();
});

describe('bootService (real PostgreSQL and NATS)', () => {
  it('migrates, loads the revocation view and builds the verifier before the service starts, and listens only after', async () => {
    const steps: string[] = [];
    let seen: { core: ServiceCore<Env>; tables: string[]; revokedAnswer: boolean } | undefined;
    const app = new Hono().get('/ping', (c) => c.text('pong'));
    const booted = await bootService({
      name: 'bootsvc',
      envSchema,
      envSource,
      handleSignals: false,
      database: { migrations },
      async start(core) {
        steps.push('start');
        const tables = (await core.sql<{ t: string }[]>`select table_name as t from information_schema.tables where table_schema = 'bootsvc'`).map((r) => r.t);
        // Throws (503) unless the view is loaded: it must already be.
        seen = { core, tables, revokedAnswer: core.revoked.isRevoked(randomUUID()) };
        return {
          app,
          stop: async () => {
            // The server is closed before the service's own loops stop.
            const still = await fetch(`http://127.0.0.1:${booted.port}/ping`).then(
              () => 'answered',
              () => 'closed',
            );
            steps.push(`stop (server ${still})`);
          },
        };
      },
    });
    try {
      expect(seen?.tables, 'the migrations ran before start').toContain('things');
      expect(seen?.revokedAnswer, 'the revocation view was loaded before start').toBe(false);
      expect(seen?.core.env.PORT, 'start gets the parsed environment').toBe(0);
      expect(booted.port).toBeGreaterThan(0);
      expect(await (await fetch(`http://127.0.0.1:${booted.port}/ping`)).text()).toBe('pong');

      // The verifier is the one that consults the revocation view.
      const sub = randomUUID();
      const token = await sign(sub);
      expect((await booted.core.verifyToken(token)).id).toBe(sub);
      await revokeUser(booted.core.nc, sub);
      const end = Date.now() + 2_000;
      while (Date.now() < end && !booted.core.revoked.isRevoked(sub)) await new Promise((r) => setTimeout(r, 20));
      await expect(booted.core.verifyToken(token)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/revoked/) });
    } finally {
      await booted.stop();
    }
    expect(steps).toEqual(['start', 'stop (server closed)']);
    expect(booted.core.nc.isClosed(), 'NATS drained on stop').toBe(true);
    await expect(booted.core.sql`select 1`, 'the pool ended on stop').rejects.toThrow();
    // A second stop (a second signal) does nothing more.
    await booted.stop();
  });

  it('names a bad variable and connects to nothing', async () => {
    let started = false;
    await expect(
      bootService({
        name: 'bootsvc',
        envSchema,
        envSource: { ...envSource, DATABASE_URL: 'mysql://nope' },
        handleSignals: false,
        database: { migrations },
        start: async () => {
          started = true;
          return { app: new Hono() };
        },
      }),
    ).rejects.toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(started).toBe(false);
  });

  it('closes what it opened when the service fails to start, and never listens', async () => {
    let core: ServiceCore<Env> | undefined;
    await expect(
      bootService({
        name: 'bootsvc',
        envSchema,
        envSource,
        handleSignals: false,
        database: { open: async (env) => createSql(env.DATABASE_URL, 'bootsvc', 2) },
        start: async (c) => {
          core = c;
          throw new Error('the service could not start');
        },
      }),
    ).rejects.toThrow('the service could not start');
    expect(core?.nc.isClosed(), 'NATS closed after the failed start').toBe(true);
    await expect(core!.sql`select 1`, 'the pool ended after the failed start').rejects.toThrow();
    expect(() => core!.revoked.isRevoked(randomUUID()), 'the stopped view answers 503, never "not revoked"').toThrow(/cannot check/);
  });
});
