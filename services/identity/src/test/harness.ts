import { fileURLToPath } from 'node:url';
import {
  connectNats,
  createLogger,
  createRevocationWatcher,
  createSql,
  createTokenVerifier,
  ensureStreams,
  listen,
  migrate,
  type NatsConnection,
} from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { createIdentityApp } from '../app.js';
import type { IdentityDeps, VendorLinkDeps } from '../deps.js';
import { startDirectorySync } from '../directory.js';
import { createKeycloakAdmin } from '../keycloak-admin.js';
import { serviceAccountTokens } from '../service-token.js';
import { createTicketServiceClient } from '../ticket-service.js';
import { loadVendorLinkKeys } from '../vendor-link-keys.js';
import { closeRefusalWindows, vendorLinkOutbox } from '../vendor-links.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * The identity service as main.ts wires it, on a fresh database, the real Keycloak (admin API
 * through the tierline-identity service account) and the real NATS (events, revocation bucket).
 * Vendor links call the ticket service at `ticketServiceUrl` (none by default: unreachable).
 */
export async function startIdentity(label: string, opts: { ticketServiceUrl?: string; vendorLinks?: Partial<VendorLinkDeps> } = {}) {
  const env = testEnv();
  const logger = createLogger(`identity-${label}`, process.env.LOG_LEVEL ?? 'silent');
  const db = await createTestDatabase(label);
  const sql = createSql(db.url, 'identity', 4);
  await migrate(sql, { schema: 'identity', dir: MIGRATIONS_DIR });
  const nc = await connectNats(env.natsUrl, `identity-test-${label}`);
  const js = (await ensureStreams(nc)).jetstream();
  const revoked = await createRevocationWatcher(nc);
  await revoked.ready;
  const credentials = { baseUrl: env.keycloakUrl, realm: env.realm, clientId: 'tierline-identity', clientSecret: 'tierline-identity-dev-secret' };
  const kc = createKeycloakAdmin(credentials);
  const sync = startDirectorySync({ sql, kc, logger, intervalMs: 0 });
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
  const servers: { close: () => Promise<void> }[] = [];
  /** Another app on the same database, key and connections, with other vendor link settings. */
  async function serve(vendorLinks: Partial<VendorLinkDeps> = {}, other: Partial<Omit<IdentityDeps, 'vendorLinks'>> = {}) {
    const server = await listen(createIdentityApp({ ...deps, ...other, vendorLinks: { ...deps.vendorLinks, ...vendorLinks } }), 0);
    servers.push(server);
    return `http://127.0.0.1:${server.port}`;
  }
  const baseUrl = await serve();
  return {
    sql,
    nc,
    js,
    kc,
    logger,
    dbUrl: db.url,
    deps,
    baseUrl,
    serve,
    /** What the service's timer does once a window ended, for every window now (even the current one). */
    async closeRefusals() {
      await closeRefusalWindows(sql, new Date(Date.now() + 24 * 3_600_000));
      await vendorLinkOutbox.flush(sql, js);
    },
    async stop() {
      for (const s of servers) await s.close();
      sync.stop();
      await revoked.stop();
      await nc.drain();
      await sql.end();
      await db.drop();
    },
  };
}

export interface ApiResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export function api(baseUrl: string, token?: string) {
  return async (method: string, path: string, body?: unknown): Promise<ApiResult> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** Collects the events published while a test runs (a plain NATS subscription sees JetStream publishes). */
export function collectEvents(nc: NatsConnection, subject = 'tierline.events.identity.>') {
  const events: { id: string; type: string; ticketId?: string; data: Record<string, unknown>; actor: unknown }[] = [];
  const sub = nc.subscribe(subject);
  void (async () => {
    for await (const m of sub) events.push(m.json());
  })();
  return {
    events,
    async waitFor(pred: (e: (typeof events)[number]) => boolean, ms = 3_000) {
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
