import { fileURLToPath } from 'node:url';
import { DEFAULT_CATEGORIES } from '@tierline/contracts';
import { DEFAULT_POLICY } from '@tierline/domain';
import { createLogger, createRevocationWatcher, createTokenVerifier, type NatsConnection } from '@tierline/platform';
import { testEnv } from '@tierline/testing';
import { cleanupStack, httpClient, migratedDatabase, natsWithStreams, serveApp, temporalClient, type FixtureHooks, type MigratedDatabase, type NatsStreams } from '@tierline/test-fixtures';
import { ensureInitialPolicy, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import { startTicketApp, startTicketWorker } from '@tierline/ticket/test-fixtures';
import { test } from 'vitest';
import { createIdentityApp } from '../app.js';
import type { IdentityDeps, VendorLinkDeps } from '../deps.js';
import { startDirectorySync } from '../directory.js';
import { createKeycloakAdmin } from '../keycloak-admin.js';
import { serviceAccountTokens } from '../service-token.js';
import { createTicketServiceClient } from '../ticket-service.js';
import { loadVendorLinkKeys } from '../vendor-link-keys.js';
import { closeRefusalWindows, vendorLinkOutbox } from '../vendor-links.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface IdentityOptions {
  /** Where vendor links call the ticket service (none by default: unreachable). */
  ticketServiceUrl?: string;
  vendorLinks?: Partial<VendorLinkDeps>;
}

/** The identity service's database (its migrations, as the administrator) and NATS with the streams. */
export function identityBaseTest(label: string) {
  return test
    .extend('database', { scope: 'file' }, migratedDatabase({ label, schema: 'identity', migrations: MIGRATIONS_DIR, max: 4 }))
    .extend('nats', { scope: 'file' }, natsWithStreams(`identity-test-${label}`));
}

/**
 * vitest fixtures (test.extend) for the identity service's tests: `database`, `nats` and
 * `identity`, the service as main.ts wires it, served on a free port; one per test file, torn
 * down after it. A file that must start something first (a person in the realm, a ticket service)
 * extends `identityBaseTest` itself and calls `startIdentity` in its own `identity` fixture.
 */
export function identityTest(label: string, opts: IdentityOptions = {}) {
  return identityBaseTest(label).extend('identity', { scope: 'file' }, async ({ database, nats }, hooks) => startIdentity(label, { database, nats }, hooks, opts));
}

/**
 * The fixtures of a file whose links act on tickets: the identity service's and the ticket
 * service's databases, NATS, and the ticket service with a ticket worker (the ticket service's own
 * fixture bodies) started before the identity service, which calls it over HTTP with its
 * service account, exactly as in production. The clinic's default policy: P1 hands off to acme-it
 * with a 30-minute contract response target, and nothing escalates on its own within a file's run.
 */
export function identityWithTicketTest(label: string, opts: Omit<IdentityOptions, 'ticketServiceUrl'> = {}) {
  return identityBaseTest(label)
    .extend('ticketDatabase', { scope: 'file' }, migratedDatabase({ label: `${label}-ticket`, schema: 'ticket', migrations: TICKET_MIGRATIONS_DIR, max: 5 }))
    .extend('temporal', { scope: 'file' }, temporalClient())
    .extend('ticketSvc', { scope: 'file' }, async ({ ticketDatabase, nats, temporal }, { onCleanup }) => {
      await ensureInitialPolicy(ticketDatabase.sql, DEFAULT_POLICY, 'system:test');
      // The server stops before the worker (last first).
      const parts = cleanupStack();
      onCleanup(parts.run);
      const app = await startTicketApp({ label: `${label}-ticket`, categories: [...DEFAULT_CATEGORIES] }, { database: ticketDatabase, nats, temporal }, parts);
      await startTicketWorker(app.taskQueue, { sql: ticketDatabase.sql, js: nats.js }, parts);
      return app;
    })
    .extend('identity', { scope: 'file' }, async ({ database, nats, ticketSvc }, hooks) => startIdentity(label, { database, nats }, hooks, { ...opts, ticketServiceUrl: ticketSvc.baseUrl }));
}

/**
 * The identity service as main.ts wires it, on the fixtures' database, the real Keycloak (admin
 * API through the tierline-identity service account) and the real NATS (events, revocation
 * bucket); the body of an `identity` fixture. What it starts stops in the fixture's cleanup.
 */
export async function startIdentity(label: string, { database, nats }: { database: MigratedDatabase; nats: NatsStreams }, { onCleanup }: FixtureHooks, opts: IdentityOptions = {}) {
  const env = testEnv();
  const logger = createLogger(`identity-${label}`, process.env.LOG_LEVEL ?? 'silent');
  const { sql } = database;
  const { nc, js } = nats;
  // vitest takes one cleanup per fixture: the servers', the directory sync's and the watcher's, last first.
  const cleanups: (() => void | Promise<void>)[] = [];
  onCleanup(async () => {
    for (const cleanup of cleanups) await cleanup();
  });
  const revoked = await createRevocationWatcher(nc);
  cleanups.unshift(() => revoked.stop());
  await revoked.ready;
  const credentials = { baseUrl: env.keycloakUrl, realm: env.realm, clientId: 'tierline-identity', clientSecret: 'tierline-identity-dev-secret' };
  const kc = createKeycloakAdmin(credentials);
  const sync = startDirectorySync({ sql, kc, logger, intervalMs: 0 });
  cleanups.unshift(() => sync.stop());
  await sync.first;
  const deps: IdentityDeps = {
    sql,
    logger,
    kc,
    js,
    nc,
    directoryReaderClients: ['tierline-notification'],
    verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-identity', isRevoked: revoked.isRevoked }),
    vendorLinks: {
      keys: await loadVendorLinkKeys({ sql }),
      baseUrl: 'http://vendor-links.test',
      ttlMs: 240 * 60_000,
      ticketService: createTicketServiceClient({ baseUrl: opts.ticketServiceUrl ?? 'http://127.0.0.1:1', token: serviceAccountTokens(credentials), logger }),
      pageRateLimitPerMinute: 1000,
      mintRateLimitPerMinute: 1000,
      refusalWindowMs: 60_000,
      ...opts.vendorLinks,
    },
  };
  /** Another app on the same database, key and connections, with other vendor link settings. */
  async function serve(vendorLinks: Partial<VendorLinkDeps> = {}, other: Partial<Omit<IdentityDeps, 'vendorLinks'>> = {}) {
    const app = createIdentityApp({ ...deps, ...other, vendorLinks: { ...deps.vendorLinks, ...vendorLinks } });
    return (await serveApp(app, { onCleanup: (fn) => cleanups.unshift(fn) })).baseUrl;
  }
  const baseUrl = await serve();
  return {
    sql,
    nc,
    js,
    kc,
    logger,
    dbUrl: database.url,
    deps,
    baseUrl,
    serve,
    /** What the service's timer does once a window ended, for every window now (even the current one). */
    async closeRefusals() {
      await closeRefusalWindows(sql, new Date(Date.now() + 24 * 3_600_000));
      await vendorLinkOutbox.flush(sql, js);
    },
  };
}

export type Identity = Awaited<ReturnType<typeof startIdentity>>;

/** `call(method, path, body?)` against the app as `token`'s user (none: anonymous). */
export function api(baseUrl: string, token?: string) {
  const call = httpClient(baseUrl);
  return (method: string, path: string, body?: unknown) => call(token ?? null, method, path, body);
}

/** Collects the events published while a test runs (a plain NATS subscription sees JetStream publishes). */
export function collectEvents(nc: NatsConnection, subject = 'tierline.events.identity.>') {
  const events: { id: string; type: string; ticketId?: string; data: Record<string, unknown>; actor: Record<string, unknown>; occurredAt: string }[] = [];
  const sub = nc.subscribe(subject);
  void (async () => {
    for await (const m of sub) events.push(m.json());
  })();
  return {
    events,
    async waitFor(pred: (e: (typeof events)[number]) => boolean, ms = 5_000) {
      const start = Date.now();
      for (;;) {
        const hit = events.find(pred);
        if (hit) return hit;
        if (Date.now() - start > ms) throw new Error(`no such event within ${ms} ms; saw ${JSON.stringify(events.map((e) => e.type))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () => sub.unsubscribe(),
  };
}
