import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { jetstream } from '@nats-io/jetstream';
import type { Hono } from 'hono';
import { createLocalJWKSet, decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { DEFAULT_CATEGORIES, type Role } from '@tierline/contracts';
import { connectNats, createLogger, createSql, createTokenVerifier, ensureStreams, listen, migrate, type Sql } from '@tierline/platform';
import { createTestDatabase, createTestGroup, DEMO_PASSWORD, loginAs, loginTestUser, serviceLogin, serviceToken, testEnv, testUsers } from '@tierline/testing';
import { createObjectStore, createTicketApp, ensureInitialPolicy, TICKET_MIGRATIONS_DIR, type TicketDeps } from '@tierline/ticket';
import {
  createIdentityApp,
  createKeycloakAdmin,
  createTicketServiceClient,
  IDENTITY_MIGRATIONS_DIR,
  loadVendorLinkKeys,
  startDirectorySync,
  type IdentityDeps,
} from '@tierline/identity';
import { createNotificationApp, createTicketAccess, NOTIFICATION_MIGRATIONS_DIR } from '@tierline/notification';
import { createPortalApp, portalEnvSchema } from '@tierline/portal/server';
import { AUDIT_MIGRATIONS_DIR, appendEvent, createAuditApp, createAuditSql, createSigner, generateSigningKey, keyRing } from '@tierline/audit';
import { createTicketWorker, NativeConnection } from '@tierline/workflows/worker';
import { DEFAULT_POLICY } from '@tierline/domain';
import { api } from './harness.js';

/** The SMS provider's auth token and callback URL the matrix's notification app is configured with. */
export const MATRIX_TWILIO_AUTH_TOKEN = 'matrix-twilio-auth-token';
export const MATRIX_TWILIO_CALLBACK_URL = 'http://notification.test/webhooks/twilio/status';

/**
 * Who calls. The matrix runs twice. The first pass signs tokens here with a test RSA key that
 * every app's verifier trusts (createTokenVerifier's `keySet`), with the claims Keycloak puts into
 * real ones: cheap, so the pass can also be run over and over while a route is written. The second
 * pass (`realCallers`) takes every token from the real Keycloak: the demo people log in through the
 * login page (their one-time code included), the services use client credentials, and the other
 * vendor is a person of this run in an organisation of this run. So the roles, site and vendor
 * claims the apps decide on are the ones Keycloak's mappers put there (decision 32).
 */
export const CALLERS = [
  'nurse', // clinic_staff of site north
  'otherNurse', // clinic_staff of site south
  'agent', // it_agent
  'lead', // it_lead
  'vendor', // vendor of acme-it
  'otherVendor', // vendor of another organisation (one of this run)
  'auditor',
  'admin',
  'svc:tierline-ticket',
  'svc:tierline-identity',
  'svc:tierline-notification',
  'svc:tierline-audit',
  'svc:tierline-worker',
  'anonymous',
] as const;
export type CallerName = (typeof CALLERS)[number];

interface Person {
  roles: Role[];
  groups: string[];
}
const PEOPLE: Record<Exclude<CallerName, `svc:${string}` | 'anonymous'>, Person> = {
  nurse: { roles: ['clinic_staff'], groups: ['/sites/north'] },
  otherNurse: { roles: ['clinic_staff'], groups: ['/sites/south'] },
  agent: { roles: ['it_agent'], groups: [] },
  lead: { roles: ['it_lead'], groups: [] },
  vendor: { roles: ['vendor'], groups: ['/vendors/acme-it'] },
  // Its organisation is one of this run (startWorld), so that real tokens can carry it too.
  otherVendor: { roles: ['vendor'], groups: [] },
  auditor: { roles: ['auditor'], groups: [] },
  admin: { roles: ['admin'], groups: [] },
};

const ISSUER = 'http://authz-matrix.test/realms/tierline';
const AUDIENCES = ['tierline-ticket', 'tierline-identity', 'tierline-notification', 'tierline-audit'];

export interface Caller {
  name: CallerName;
  /** The token's `sub`; empty for anonymous. */
  id: string;
  token: string | undefined;
}

async function signTokens(otherVendorOrg: string): Promise<{ callers: Record<CallerName, Caller>; keySet: ReturnType<typeof createLocalJWKSet> }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = `authz-${randomBytes(4).toString('hex')}`;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const keySet = createLocalJWKSet({ keys: [jwk] });
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ ...claims, typ: 'Bearer' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCES)
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(privateKey);
  const callers = {} as Record<CallerName, Caller>;
  for (const name of CALLERS) {
    const id = name === 'anonymous' ? '' : randomUUID();
    if (name === 'anonymous') callers[name] = { name, id, token: undefined };
    else if (name.startsWith('svc:')) {
      const client = name.slice('svc:'.length);
      // As Keycloak issues client-credentials tokens: client_id and azp name the client, the
      // realm's default roles only, no groups.
      callers[name] = {
        name,
        id,
        token: await sign({ sub: id, client_id: client, azp: client, preferred_username: `service-account-${client}`, realm_access: { roles: ['default-roles-tierline', 'offline_access'] } }),
      };
    } else {
      const p = PEOPLE[name as keyof typeof PEOPLE];
      const groups = name === 'otherVendor' ? [`/vendors/${otherVendorOrg}`] : p.groups;
      callers[name] = {
        name,
        id,
        token: await sign({ sub: id, azp: 'tierline-portal', preferred_username: `authz.${name.toLowerCase()}`, realm_access: { roles: p.roles }, groups }),
      };
    }
  }
  return { callers, keySet };
}

/** The demo person (infra/keycloak/tierline-realm.demo.json) each role logs in as in the real-token pass. */
const DEMO_PERSON: Record<Exclude<CallerName, `svc:${string}` | 'anonymous' | 'otherVendor'>, string> = {
  nurse: 'nora.nurse',
  otherNurse: 'sam.staff',
  agent: 'alex.agent',
  lead: 'lee.lead',
  vendor: 'val.vendor',
  auditor: 'audrey.auditor',
  admin: 'ada.admin',
};

/**
 * Every caller with a token of the real Keycloak. Access tokens live five minutes (the realm's
 * accessTokenLifespan): fetch them right before the pass that uses them.
 */
async function keycloakCallers(otherVendor: Parameters<typeof loginTestUser>[0]): Promise<Record<CallerName, Caller>> {
  const callers = {} as Record<CallerName, Caller>;
  const withSub = (name: CallerName, token: string): Caller => ({ name, id: decodeJwt(token).sub!, token });
  // One login at a time: Keycloak's brute-force detector serialises logins, and the 2-core CI is shared.
  for (const name of CALLERS) {
    if (name === 'anonymous') callers[name] = { name, id: '', token: undefined };
    else if (name.startsWith('svc:')) callers[name] = withSub(name, (await serviceToken(name.slice('svc:'.length))).access_token);
    else if (name === 'otherVendor') callers[name] = withSub(name, (await loginTestUser(otherVendor)).access_token);
    else callers[name] = withSub(name, (await loginAs(DEMO_PERSON[name as keyof typeof DEMO_PERSON], DEMO_PASSWORD)).access_token);
  }
  return callers;
}

export type TicketKind = 'north' | 'south' | 'acme' | 'beta';

/**
 * The four services' real apps in this process, on the real PostgreSQL (a database each), NATS
 * JetStream, Temporal (a worker on a unique task queue) and, for the identity service's admin
 * calls, Keycloak.
 */
export async function startWorld() {
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    return await buildWorld(cleanups);
  } catch (err) {
    // Set up part-way: what exists is removed again (the run's group and person in the shared realm included).
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    throw err;
  }
}

async function buildWorld(cleanups: (() => Promise<unknown>)[]) {
  const env = testEnv();
  const logger = createLogger('authz-matrix', process.env.LOG_LEVEL ?? 'silent');
  const suffix = randomBytes(4).toString('hex');
  // The other vendor organisation and its one person exist for this run only (the realm's demo
  // data has one vendor organisation, and no test changes the demo people or their groups).
  const people = testUsers();
  const otherOrg = await createTestGroup('/vendors', 'authz-org');
  cleanups.push(async () => {
    await people.removeAll();
    await otherOrg.remove();
  });
  const otherVendorPerson = await people.create({ prefix: 'authz.vendor', roles: ['vendor'], groups: [otherOrg.path], totp: true });
  const { callers, keySet } = await signTokens(otherOrg.name);
  // Each app trusts both: the matrix's own key (first pass) and the real Keycloak (second pass),
  // told apart by the token's issuer. Either verifier alone checks signature, audience and expiry.
  const verifier = (audience: string) => {
    const signed = createTokenVerifier({ issuer: ISSUER, jwksUrl: 'http://unused.invalid/jwks', audience, keySet });
    const keycloak = createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience });
    return (token: string) => {
      let iss: string | undefined;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        // Not a JWT: the Keycloak verifier refuses it with its own message.
      }
      return iss === ISSUER ? signed(token) : keycloak(token);
    };
  };

  const nc = await connectNats(env.natsUrl, `authz-matrix-${suffix}`);
  await ensureStreams(nc);
  const js = jetstream(nc);
  cleanups.push(() => nc.drain());

  // Ticket service, its worker, and a Temporal client
  const ticketDb = await createTestDatabase('authzticket');
  // Each service and the worker log in as their own tierline_<service>, as everywhere (decision 21).
  const ticketSql = createSql(await serviceLogin('ticket', ticketDb.url), 'ticket', 6);
  const workerSql = createSql(await serviceLogin('worker', ticketDb.url), 'ticket', 3);
  cleanups.push(async () => {
    await ticketSql.end();
    await workerSql.end();
    await ticketDb.drop();
  });
  await migrate(ticketSql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
  // The clinic's real policy: its clocks are hours long, so nothing escalates while this runs.
  await ensureInitialPolicy(ticketSql, DEFAULT_POLICY, 'system:test');
  const taskQueue = `authz-matrix-${suffix}`;
  const workerConnection = await NativeConnection.connect({ address: env.temporalAddress });
  const worker = await createTicketWorker({ connection: workerConnection, namespace: env.temporalNamespace, taskQueue, deps: { sql: workerSql, js } });
  const workerRun = worker.run();
  cleanups.push(async () => {
    worker.shutdown();
    await workerRun;
    await workerConnection.close();
  });
  const connection = await Connection.connect({ address: env.temporalAddress });
  cleanups.push(() => connection.close());
  const temporal = new Client({ connection, namespace: env.temporalNamespace });
  const ticketDeps: TicketDeps = {
    sql: ticketSql,
    temporal,
    js,
    nc,
    taskQueue,
    verifyToken: verifier('tierline-ticket'),
    logger,
    categories: [...DEFAULT_CATEGORIES],
    // The matrix opens dozens of tickets as one person within a minute.
    rateLimits: { ticketCreatePerMinute: 10_000, policyPublishPerMinute: 10_000 },
    // The test run's object store; every allowed upload of the matrix lands on the shared tickets.
    objects: createObjectStore(env.objectStore),
    attachmentLimits: { maxPerTicket: 1_000 },
  };
  cleanups.push(() => Promise.resolve(ticketDeps.objects?.close()));
  const ticketApp = createTicketApp(ticketDeps);
  const ticketServer = await listen(ticketApp, 0);
  cleanups.push(() => ticketServer.close());
  const ticketUrl = `http://127.0.0.1:${ticketServer.port}`;

  // Identity service: its Keycloak admin calls go to the real Keycloak (identity service account)
  const identityDb = await createTestDatabase('authzidentity');
  const identitySql = createSql(await serviceLogin('identity', identityDb.url), 'identity', 4);
  cleanups.push(async () => {
    await identitySql.end();
    await identityDb.drop();
  });
  await migrate(identitySql, { schema: 'identity', dir: fileURLToPath(IDENTITY_MIGRATIONS_DIR) });
  const kc = createKeycloakAdmin({ baseUrl: env.keycloakUrl, realm: env.realm, clientId: 'tierline-identity', clientSecret: 'tierline-identity-dev-secret' });
  const sync = startDirectorySync({ sql: identitySql, kc, logger, intervalMs: 0 });
  await sync.first;
  sync.stop();
  const identityDeps: IdentityDeps = {
    sql: identitySql,
    logger,
    kc,
    js,
    nc,
    directoryReaderClients: ['tierline-notification'],
    verifyToken: verifier('tierline-identity'),
    userAdminRateLimitPerMinute: 10_000,
    vendorLinks: {
      keys: await loadVendorLinkKeys({ sql: identitySql }),
      baseUrl: 'http://vendor-links.test',
      ttlMs: 240 * 60_000,
      // The identity service account's token as this world signs it, so the ticket app accepts it.
      ticketService: createTicketServiceClient({ baseUrl: ticketUrl, token: () => Promise.resolve(callers['svc:tierline-identity'].token!), logger }),
      pageRateLimitPerMinute: 10_000,
      mintRateLimitPerMinute: 10_000,
    },
  };
  const identityApp = createIdentityApp(identityDeps);
  const identityServer = await listen(identityApp, 0);
  cleanups.push(() => identityServer.close());

  // Notification service's API (its delivery worker is not needed to read deliveries)
  const notificationDb = await createTestDatabase('authznotification');
  const notificationSql = createSql(await serviceLogin('notification', notificationDb.url), 'notification', 3);
  cleanups.push(async () => {
    await notificationSql.end();
    await notificationDb.drop();
  });
  await migrate(notificationSql, { schema: 'notification', dir: fileURLToPath(NOTIFICATION_MIGRATIONS_DIR) });
  const notificationApp = createNotificationApp({
    sql: notificationSql,
    nc,
    logger,
    verifyToken: verifier('tierline-notification'),
    ticketAccess: createTicketAccess({ ticketUrl, timeoutMs: 10_000 }),
    // The Twilio status callback is registered only when configured: configure it, so the matrix sees it.
    twilioStatus: { authToken: MATRIX_TWILIO_AUTH_TOKEN, callbackUrl: MATRIX_TWILIO_CALLBACK_URL, onStatus: () => Promise.resolve(0) },
  });
  const notificationServer = await listen(notificationApp, 0);
  cleanups.push(() => notificationServer.close());

  // Audit service's API, its pool logged in as its own tierline_audit, as the insert-only writer role like the real one
  const auditDb = await createTestDatabase('authzaudit');
  const auditOwner = createSql(auditDb.url, 'audit', 2);
  await migrate(auditOwner, { schema: 'audit', dir: fileURLToPath(AUDIT_MIGRATIONS_DIR) });
  const auditSql = createAuditSql(await serviceLogin('audit', auditDb.url), { role: 'tierline_audit_writer', max: 3 });
  cleanups.push(async () => {
    await auditSql.end();
    await auditOwner.end();
    await auditDb.drop();
  });
  const signer = createSigner(generateSigningKey());
  const auditApp = createAuditApp({ sql: auditSql, logger, signer, publicKeys: keyRing([signer.publicKey]), verifyToken: verifier('tierline-audit'), exportRateLimitPerMinute: 10_000 });
  const auditServer = await listen(auditApp, 0);
  cleanups.push(() => auditServer.close());

  const backends = {
    ticket: ticketUrl,
    identity: `http://127.0.0.1:${identityServer.port}`,
    notification: `http://127.0.0.1:${notificationServer.port}`,
    audit: `http://127.0.0.1:${auditServer.port}`,
  };

  // The portal server: the browser's one origin, forwarding /api/* (every method) to the four.
  const publicDir = await mkdtemp(join(tmpdir(), 'authz-portal-'));
  await writeFile(join(publicDir, 'index.html'), '<!doctype html><title>Tierline</title><div id="root"></div>');
  await mkdir(join(publicDir, 'assets'));
  await writeFile(join(publicDir, 'assets', 'app-authz.js'), 'export {};');
  cleanups.push(() => rm(publicDir, { recursive: true, force: true }));
  const portalApp = createPortalApp({
    env: portalEnvSchema.parse({
      TICKET_SERVICE_URL: backends.ticket,
      IDENTITY_SERVICE_URL: backends.identity,
      NOTIFICATION_SERVICE_URL: backends.notification,
      AUDIT_SERVICE_URL: backends.audit,
      KEYCLOAK_URL: env.keycloakUrl,
      KEYCLOAK_REALM: env.realm,
    }),
    logger,
    publicDir,
  });
  const portalServer = await listen(portalApp, 0);
  cleanups.push(() => portalServer.close());

  const urls = { ...backends, portal: `http://127.0.0.1:${portalServer.port}` };
  // Only their route tables are needed from here on.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const apps: Record<keyof typeof urls, Hono<any, any, any>> = { ticket: ticketApp, identity: identityApp, notification: notificationApp, audit: auditApp, portal: portalApp };
  const asWith = (who: Record<CallerName, Caller>) => (caller: CallerName, service: keyof typeof urls) => api(urls[service], who[caller].token);
  const as = asWith(callers);

  const fixtures = await createFixtures({ as, callers, identitySql, notificationSql, auditSql, otherVendorOrg: otherOrg.name });
  const world = {
    apps,
    urls,
    callers,
    as,
    /** The other vendor's organisation (a group of this run under /vendors). */
    otherVendorOrg: otherOrg.name,
    fixtures,
    ticketDeps,
    ticketSql,
    kc,
    async stop() {
      // Users this run invited into the shared Keycloak realm are removed again.
      await fixtures.removeInvitedUsers(env).catch(() => undefined);
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    },
    otherVendorPerson,
    asWith,
  };
  return world;
}

/**
 * The same world, its callers holding tokens of the real Keycloak (the second pass). The fixtures
 * stay the ones the first pass made: a nurse of site north is any person of site north, a vendor
 * any person of the organisation holding the ticket.
 */
export async function withKeycloakTokens(w: World): Promise<World> {
  const real = await keycloakCallers(w.otherVendorPerson);
  return { ...w, callers: real, as: w.asWith(real) };
}

export type World = Awaited<ReturnType<typeof startWorld>>;

type As = (caller: CallerName, service: 'ticket' | 'identity' | 'notification' | 'audit' | 'portal') => ReturnType<typeof api>;

function must<T>(what: string, res: { status: number; body: T }, ...ok: number[]): T {
  if (!ok.includes(res.status)) throw new Error(`fixture: ${what} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
}

const NEW_TICKET = { title: 'Printer in exam room 2 is offline', description: 'Shows error 41', category: 'printer_scanner', impact: 'one_user', urgency: 'medium' };

/**
 * Objects every path parameter can point at, of each side: tickets of sites north and south, one
 * escalated to acme-it and one to the other vendor's organisation at tier 3 (through the hand-to-vendor action), comments
 * and an internal note, a directory user of each kind, a vendor link, a delivery and audit rows.
 * `fresh*` make throwaway objects for the calls that change state.
 */
async function createFixtures(d: { as: As; callers: Record<CallerName, Caller>; identitySql: Sql; notificationSql: Sql; auditSql: Sql; otherVendorOrg: string }) {
  const { as } = d;
  const invited: string[] = [];
  const tag = randomBytes(3).toString('hex');

  async function freshTicket(kind: TicketKind, title = NEW_TICKET.title) {
    const opener = kind === 'south' ? 'otherNurse' : 'nurse';
    const t = must('open a ticket', await as(opener, 'ticket')('POST', '/api/v1/tickets', { ...NEW_TICKET, title, siteId: kind === 'south' ? 'south' : 'north' }), 201) as { id: string; number: string };
    if (kind === 'acme' || kind === 'beta') {
      const vendorOrgId = kind === 'acme' ? 'acme-it' : d.otherVendorOrg;
      must('hand to vendor', await as('agent', 'ticket')('POST', `/api/v1/tickets/${t.id}/hand-to-vendor`, { vendorOrgId }), 200);
      // The vendor finds the ticket by the ticket row (tier 3, its organisation): the fixture is
      // ready when the row says so.
      const started = Date.now();
      for (;;) {
        const row = (await as('agent', 'ticket')('GET', `/api/v1/tickets/${t.id}`)).body as { tier?: number; vendorOrgId?: string | null };
        if (row.tier === 3 && row.vendorOrgId === vendorOrgId) {
          if (Date.now() - started > 1_000) console.warn(`fixture: the row of ${t.number} showed the hand-off ${Date.now() - started} ms after it answered`);
          break;
        }
        if (Date.now() - started > 20_000) {
          const timeline = (await as('agent', 'ticket')('GET', `/api/v1/tickets/${t.id}/timeline`)).body as { items: { type: string; occurredAt: string }[] };
          throw new Error(
            `fixture: ticket ${t.number} was handed to ${vendorOrgId} (200), but 20 s later its row says tier ${row.tier}, vendor ${row.vendorOrgId}; ` +
              `timeline: ${timeline.items.map((i) => `${i.type}@${i.occurredAt}`).join(', ')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return t;
  }

  const tickets: Record<TicketKind, { id: string; number: string }> = {
    north: await freshTicket('north'),
    south: await freshTicket('south'),
    acme: await freshTicket('acme'),
    beta: await freshTicket('beta'),
  };
  // One attachment on each ticket, marked for the vendor on the two tickets vendors hold.
  const attachments = {} as Record<TicketKind, string>;
  for (const [kind, t] of Object.entries(tickets) as [TicketKind, { id: string }][]) {
    const up = must('attach', await as('agent', 'ticket')('POST', `/api/v1/tickets/${t.id}/attachments`, ...attachmentUpload(`matrix-${kind}.txt`)), 201) as { id: string };
    if (kind === 'acme' || kind === 'beta') must('mark for the vendor', await as('agent', 'ticket')('PATCH', `/api/v1/tickets/${t.id}/attachments/${up.id}`, { vendorVisible: true }), 200);
    attachments[kind] = up.id;
  }
  const INTERNAL_NOTE = `internal-note-${tag}`;
  for (const t of Object.values(tickets)) {
    must('internal note', await as('agent', 'ticket')('POST', `/api/v1/tickets/${t.id}/comments`, { body: INTERNAL_NOTE, visibility: 'internal' }), 200);
    must('public comment', await as('agent', 'ticket')('POST', `/api/v1/tickets/${t.id}/comments`, { body: 'We are on it', visibility: 'public' }), 200);
  }

  // Directory: the real val.vendor (a link's recipient) and two throwaway accounts to manage, one
  // an agent (any user manager may manage) and one an admin (only an admin may).
  const val = must('directory', await as('agent', 'identity')('GET', '/api/v1/directory/users?username=val.vendor'), 200) as { users: { id: string }[] };
  const valId = val.users[0]!.id;
  async function inviteUser(role: 'it_agent' | 'admin') {
    const n = randomBytes(3).toString('hex');
    const u = must('invite', await as('admin', 'identity')('POST', '/api/v1/directory/users', inviteBody(role, n)), 201) as { id: string };
    invited.push(u.id);
    return u.id;
  }
  const users = { agent: await inviteUser('it_agent'), admin: await inviteUser('admin') };
  // The admin's sites and vendor organisations: rows of this run's identity database to change
  // (the other vendor's organisation is a group of this run, so people invited into it page nobody).
  const siteId = `matrix-site-${tag}`;
  await d.identitySql`insert into sites (id, name, time_zone) values (${siteId}, 'Matrix Clinic', 'UTC')`;
  await d.identitySql`insert into vendor_orgs (id, name) values (${d.otherVendorOrg}, 'Matrix Vendor') on conflict (id) do nothing`;
  /** Keycloak groups allowed calls made (POST sites, vendor organisations), removed with the invited users. */
  const madeGroups: string[] = [];
  async function freshVendorPerson() {
    const n = randomBytes(3).toString('hex');
    const u = must(
      'vendor person',
      await as('admin', 'identity')('POST', `/api/v1/directory/vendor-orgs/${d.otherVendorOrg}/people`, { username: `authz.vp.${n}`, email: `authz.vp.${n}@it.tierline.test`, firstName: 'Matrix', lastName: 'Vendor' }),
      201,
    ) as { id: string };
    invited.push(u.id);
    return u.id;
  }

  async function freshVendorLink(ticketId = tickets.acme.id) {
    const link = must(
      'vendor link',
      await as('svc:tierline-notification', 'identity')('POST', '/api/v1/vendor-links', vendorLinkBody(ticketId, tickets.acme.number, valId)),
      201,
    ) as { id: string; url: string };
    return { id: link.id, token: link.url.slice(link.url.indexOf('/v/') + 3) };
  }
  const link = await freshVendorLink();

  await d.notificationSql`
    insert into deliveries (id, idempotency_key, recipient_id, channel, ticket_id, status)
    values (${randomUUID()}, ${`authz:${tag}`}, ${valId}, 'email', ${tickets.north.id}, 'sent')`;
  await appendEvent(d.auditSql, {
    id: randomUUID(),
    type: 'ticket.created',
    occurredAt: new Date().toISOString(),
    actor: { kind: 'user', id: d.callers.nurse.id, role: 'clinic_staff' },
    ticketId: tickets.north.id,
    data: { number: tickets.north.number },
    schemaVersion: 1,
  });

  return {
    tickets,
    attachments,
    INTERNAL_NOTE,
    users,
    valId,
    link,
    freshTicket,
    freshVendorLink,
    inviteBody,
    invited,
    siteId,
    madeGroups,
    freshVendorPerson,
    async removeInvitedUsers(env: ReturnType<typeof testEnv>) {
      const res = await fetch(`${env.keycloakUrl}/realms/${env.realm}/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'tierline-identity', client_secret: 'tierline-identity-dev-secret' }),
      });
      const { access_token } = (await res.json()) as { access_token: string };
      for (const id of invited) {
        await fetch(`${env.keycloakUrl}/admin/realms/${env.realm}/users/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${access_token}` } });
      }
      for (const path of madeGroups) {
        const found = await fetch(`${env.keycloakUrl}/admin/realms/${env.realm}/group-by-path${path}`, { headers: { authorization: `Bearer ${access_token}` } });
        if (found.status !== 200) continue;
        const { id } = (await found.json()) as { id: string };
        await fetch(`${env.keycloakUrl}/admin/realms/${env.realm}/groups/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${access_token}` } });
      }
    },
  };
}

export type Fixtures = Awaited<ReturnType<typeof createFixtures>>;

/** A multipart body and its content type: one small text file in the field `file`. */
export function attachmentUpload(fileName: string, text = 'printer log line\n'): [string, Record<string, string>] {
  const boundary = `matrix-${randomBytes(6).toString('hex')}`;
  const body = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${fileName}"\r\ncontent-type: text/plain\r\n\r\n${text}\r\n--${boundary}--\r\n`;
  return [body, { 'content-type': `multipart/form-data; boundary=${boundary}` }];
}

export function inviteBody(role: 'it_agent' | 'admin', n = randomBytes(3).toString('hex')) {
  return { username: `authz.${role.replace('_', '')}.${n}`, email: `authz.${n}@it.tierline.test`, firstName: 'Matrix', lastName: 'Test', roles: [role], sites: [] };
}

export function vendorLinkBody(ticketId: string, ticketNumber: string, recipientId: string) {
  return {
    ticketId,
    ticketNumber,
    priority: 'P3',
    siteId: 'north',
    level: null,
    vendorOrgId: 'acme-it',
    recipientId,
    deadlineAt: null,
    idempotencyKey: `authz:${randomUUID()}`,
  };
}
