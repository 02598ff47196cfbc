import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import {
  createIdentityApp,
  createKeycloakAdmin,
  createTicketServiceClient,
  IDENTITY_MIGRATIONS_DIR,
  loadVendorLinkKeys,
  serviceAccountTokens,
  startDirectorySync,
  syncDirectory,
  type IdentityDeps,
} from '@tierline/identity';
import { createObjectStore, createTicketApp, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import { connectNats, createLogger, createSql, createTokenVerifier, ensureStreams, listen, migrate } from '@tierline/platform';
import { createTestDatabase, DEMO_CONTACTS, testEnv, type DemoContacts } from '@tierline/testing';
import { DEFAULT_POLICY } from '@tierline/domain';
import { ensureInitialPolicy } from '@tierline/ticket';
import { createTicketWorker, NativeConnection } from '@tierline/workflows/worker';
import { randomBytes } from 'node:crypto';
import type { JetStreamClient, Sql } from '@tierline/platform';

/** The ticket workflow's worker on `taskQueue`, over the ticket database, with the default policy published. */
async function startTicketWorker(sql: Sql, js: JetStreamClient, taskQueue: string) {
  await ensureInitialPolicy(sql, DEFAULT_POLICY, 'system:test');
  const connection = await NativeConnection.connect({ address: testEnv().temporalAddress });
  const worker = await createTicketWorker({ connection, namespace: testEnv().temporalNamespace, taskQueue, deps: { sql, js } });
  const run = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await run;
      await connection.close();
    },
  };
}


/**
 * The two services recipients come from, in this process, each on its own fresh database:
 * the identity service (directory synced from the real Keycloak, contacts, vendor links) and the
 * ticket service (teams and on-call rotas, ticket read access). The demo people get
 * DEMO_CONTACTS, written straight into the identity database as if each had saved them.
 *
 * Vendor links open on the identity app itself (`identityUrl/v/<token>`); its own calls to the
 * ticket service (is the ticket still waiting for the vendor?) go to `vendorLinkTicketUrl`, by
 * default nowhere, in which case the link page is shown without that check.
 */
export async function startDirectory(label: string, opts: { vendorLinkTicketUrl?: string; workflows?: boolean } = {}) {
  const env = testEnv();
  const logger = createLogger(`nt-dir-${label}`, process.env.LOG_LEVEL ?? 'silent');

  const idDb = await createTestDatabase(`nid${label}`);
  const idSql = createSql(idDb.url, 'identity', 3);
  await migrate(idSql, { schema: 'identity', dir: fileURLToPath(IDENTITY_MIGRATIONS_DIR) });
  const nc = await connectNats(env.natsUrl, `nt-dir-${label}`);
  const js = (await ensureStreams(nc)).jetstream();
  const credentials = { baseUrl: env.keycloakUrl, realm: env.realm, clientId: 'tierline-identity', clientSecret: 'tierline-identity-dev-secret' };
  const kc = createKeycloakAdmin(credentials);
  const sync = startDirectorySync({ sql: idSql, kc, logger, intervalMs: 0 });
  await sync.first;
  const deps: IdentityDeps = {
    sql: idSql,
    logger,
    kc,
    js,
    nc,
    directoryReaderClients: ['tierline-notification'],
    verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-identity' }),
    vendorLinks: {
      keys: await loadVendorLinkKeys({ sql: idSql }),
      // Set to the app's own address once it listens (handlers read it per request).
      baseUrl: 'http://127.0.0.1:1',
      ttlMs: 240 * 60_000,
      ticketService: createTicketServiceClient({ baseUrl: opts.vendorLinkTicketUrl ?? 'http://127.0.0.1:1', token: serviceAccountTokens(credentials), logger, timeoutMs: 2_000 }),
      pageRateLimitPerMinute: 1000,
      mintRateLimitPerMinute: 1000,
    },
  };
  const identityServer = await listen(createIdentityApp(deps), 0);
  const identityUrl = `http://127.0.0.1:${identityServer.port}`;
  deps.vendorLinks.baseUrl = identityUrl;

  const ticketDb = await createTestDatabase(`ntk${label}`);
  const ticketSql = createSql(ticketDb.url, 'ticket', 3);
  await migrate(ticketSql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
  // Nothing here runs a workflow unless `workflows` asks for it (tickets opened and commented by
  // mail, src/inbound/): then the published default policy and a ticket worker on its own queue.
  const connection = Connection.lazy({ address: env.temporalAddress });
  const taskQueue = `${opts.workflows ? 'nt' : 'unused'}-${label}-${randomBytes(4).toString('hex')}`;
  const worker = opts.workflows ? await startTicketWorker(ticketSql, js, taskQueue) : null;
  // The shared object store (versitygw): files that come by mail are stored by the ticket service.
  const objects = opts.workflows ? createObjectStore(env.objectStore) : undefined;
  const ticketServer = await listen(
    createTicketApp({
      sql: ticketSql,
      // Every read of a ticket is recorded on JetStream before it is answered (access.ts).
      js,
      temporal: new Client({ connection, namespace: env.temporalNamespace }),
      taskQueue,
      verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-ticket' }),
      logger,
      categories: ['ehr', 'network', 'printer_scanner', 'other'],
      ...(objects ? { objects } : {}),
    }),
    0,
  );
  const ticketUrl = `http://127.0.0.1:${ticketServer.port}`;

  const userId = async (username: string): Promise<string> => {
    const [row] = await idSql<{ id: string }[]>`select id from users where username = ${username}`;
    if (!row) throw new Error(`${username} is not in the synced directory`);
    return row.id;
  };
  /** Replaces one person's contacts, as their PUT /api/v1/me/contacts would. */
  const setContacts = async (username: string, c: DemoContacts & { preferredChannels?: string[] }) => {
    const id = await userId(username);
    await idSql`
      insert into user_contacts (user_id, email, mobile, slack_handle, teams_handle, quiet_hours, preferred_channels)
      values (${id}, ${c.email ?? null}, ${c.mobile ?? null}, ${c.slackHandle ?? null}, ${c.teamsHandle ?? null}, ${c.quietHours ? idSql.json(c.quietHours) : null}, ${c.preferredChannels ?? []})
      on conflict (user_id) do update set email = excluded.email, mobile = excluded.mobile, slack_handle = excluded.slack_handle,
        teams_handle = excluded.teams_handle, quiet_hours = excluded.quiet_hours, preferred_channels = excluded.preferred_channels, updated_at = now()`;
  };
  for (const [username, c] of Object.entries(DEMO_CONTACTS)) await setContacts(username, c);

  return {
    identityUrl,
    ticketUrl,
    idSql,
    ticketSql,
    userId,
    setContacts,
    /** Keycloak's admin API as the identity service uses it, and a directory sync now (after a test changed Keycloak). */
    kc,
    resync: () => syncDirectory(idSql, kc),
    /** The notification service's environment pointing at these two. */
    env: { IDENTITY_SERVICE_URL: identityUrl, TICKET_SERVICE_URL: ticketUrl },
    async stop() {
      await ticketServer.close();
      objects?.close();
      await worker?.stop();
      await identityServer.close();
      sync.stop();
      await connection.close().catch(() => undefined);
      await nc.drain();
      await ticketSql.end();
      await idSql.end();
      await ticketDb.drop();
      await idDb.drop();
    },
  };
}
