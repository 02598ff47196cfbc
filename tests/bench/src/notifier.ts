/**
 * A child process of the bench: the identity service (directory synced from the real Keycloak, the
 * demo people's contacts) and the notification delivery pipeline (recipient resolution through the
 * identity and ticket services, email to the real SMTP server), on the bench's database.
 *
 * It is fed like the browser tests' notifier (tests/browser/src/stack.ts): a plain core-NATS
 * subscription to the notify commands, which copies and takes nothing from TIERLINE_COMMANDS (a work
 * queue with one consumer per subject, the notification service's durable), and handles only the
 * commands of this bench's tickets, one at a time as the service's consumer does. A second durable
 * on that subject is refused by the server, and taking the commands of other runs sharing the
 * NATS server would mail their people.
 *
 * Environment: BENCH_DB_URL (the bench database), BENCH_TICKET_URL (the bench's ticket service).
 * Prints `ready <identity service URL>` once it handles commands.
 */
import '@tierline/testing/quiet-temporal';
import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import { NOTIFY_SUBJECT, NotifyCommandSchema } from '@tierline/contracts';
import {
  createIdentityApp,
  createKeycloakAdmin,
  createTicketServiceClient,
  IDENTITY_MIGRATIONS_DIR,
  loadVendorLinkKeys,
  serviceAccountTokens,
  startDirectorySync,
  type IdentityDeps,
} from '@tierline/identity';
import {
  createEmailSender,
  createPipeline,
  createSlackSender,
  createSmsSender,
  createTeamsSender,
  createVendorLinkMinter,
  IdentityRecipientResolver,
  NOTIFICATION_MIGRATIONS_DIR,
} from '@tierline/notification';
import { connectNats, createLogger, createSql, createTokenVerifier, listen, migrate, serviceAccountToken } from '@tierline/platform';
import { startProviderStubs } from '@tierline/provider-stubs';
import { seedDemoContacts, testEnv } from '@tierline/testing';

const dbUrl = process.env.BENCH_DB_URL;
const ticketUrl = process.env.BENCH_TICKET_URL;
if (!dbUrl || !ticketUrl) throw new Error('BENCH_DB_URL and BENCH_TICKET_URL must be set');
const env = testEnv();
const logger = createLogger('bench-notifier', process.env.LOG_LEVEL ?? 'warn');
const nc = await connectNats(env.natsUrl, 'bench-notifier');
const ticketSql = createSql(dbUrl, 'ticket', 2);

// The identity service, as in its main.ts but on the bench database.
const idSql = createSql(dbUrl, 'identity', 4);
await migrate(idSql, { schema: 'identity', dir: fileURLToPath(IDENTITY_MIGRATIONS_DIR) });
const credentials = { baseUrl: env.keycloakUrl, realm: env.realm, clientId: 'tierline-identity', clientSecret: 'tierline-identity-dev-secret' };
const kc = createKeycloakAdmin(credentials);
const sync = startDirectorySync({ sql: idSql, kc, logger, intervalMs: 0 });
await sync.first;
await seedDemoContacts(idSql);
const deps: IdentityDeps = {
  sql: idSql,
  logger,
  kc,
  js: jetstream(nc),
  nc,
  directoryReaderClients: ['tierline-notification'],
  verifyToken: createTokenVerifier({ issuer: env.issuer, jwksUrl: env.jwksUrl, audience: 'tierline-identity' }),
  vendorLinks: {
    keys: await loadVendorLinkKeys({ sql: idSql }),
    baseUrl: 'http://127.0.0.1:1',
    ttlMs: 240 * 60_000,
    ticketService: createTicketServiceClient({ baseUrl: ticketUrl, token: serviceAccountTokens(credentials), logger, timeoutMs: 5_000 }),
    pageRateLimitPerMinute: 1000,
    mintRateLimitPerMinute: 1000,
  },
};
const identity = await listen(createIdentityApp(deps), 0);
const identityUrl = `http://127.0.0.1:${identity.port}`;
deps.vendorLinks.baseUrl = identityUrl;

// The delivery pipeline, as the notification service wires it (services/notification/src/service.ts).
const notifierSql = createSql(dbUrl, 'notification', 4);
await migrate(notifierSql, { schema: 'notification', dir: fileURLToPath(NOTIFICATION_MIGRATIONS_DIR) });
const stubs = await startProviderStubs(0);
const token = serviceAccountToken({ tokenUrl: `${env.issuer}/protocol/openid-connect/token`, clientId: 'tierline-notification', clientSecret: 'tierline-notification-dev-secret', timeoutMs: 5_000 });
const email = createEmailSender({ smtpUrl: env.smtpUrl, from: 'Tierline <tierline@tierline.test>', mailpitUrl: env.mailpitUrl, timeoutMs: 10_000 });
const pipeline = createPipeline({
  sql: notifierSql,
  js: jetstream(nc),
  resolver: new IdentityRecipientResolver({ identityUrl, ticketUrl, token, timeoutMs: 10_000, logger }),
  mintVendorLink: createVendorLinkMinter({ identityUrl, token, timeoutMs: 10_000 }),
  senders: {
    email,
    sms: createSmsSender({ accountSid: 'ACstub', authToken: 'stub-auth-token', from: '+15550100999', apiBase: stubs.url, timeoutMs: 10_000 }),
    slack: createSlackSender({ token: 'xoxb-stub', apiUrl: `${stubs.url}/slack/api/`, timeoutMs: 10_000 }),
    teams: createTeamsSender({ webhookUrl: `${stubs.url}/teams/webhook/tierline-stub`, timeoutMs: 10_000 }),
  },
  logger,
  portalUrl: 'http://localhost:3000',
  // The bench pages one IT lead hundreds of times a minute; the per-person limit would (rightly)
  // fold those into digests. Lifted here, so every escalation's own email is measured.
  rateLimit: 1_000_000,
  leaseMs: 20_000,
  maxAttempts: 3,
  retryDelaysMs: [1_000, 2_000],
});

let handling: Promise<void> = Promise.resolve();
let handled = 0;
const handle = async (raw: unknown) => {
  const parsed = NotifyCommandSchema.safeParse(raw);
  if (!parsed.success) return;
  const cmd = parsed.data;
  const [mine] = await ticketSql<{ id: string }[]>`select id from tickets where id = ${cmd.ticketId}`.catch(() => []);
  if (!mine) return;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await pipeline.handleCommand(cmd, { isLast: attempt === 3 });
      handled++;
      return;
    } catch (err) {
      logger.warn({ err, attempt }, 'notify command not settled yet');
      await new Promise((r) => setTimeout(r, 1_000 * attempt));
    }
  }
};
const sub = nc.subscribe(NOTIFY_SUBJECT, {
  callback: (err, msg) => {
    if (err) return;
    let raw: unknown;
    try {
      raw = msg.json();
    } catch {
      return;
    }
    handling = handling.then(() => handle(raw)).catch((e: unknown) => logger.warn({ err: e }, 'notify command failed'));
  },
});
await nc.flush();
process.stdout.write(`ready ${identityUrl}\n`);

const stop = async () => {
  sub.unsubscribe();
  await handling;
  process.stderr.write(`notifier: ${handled} commands handled\n`);
  sync.stop();
  await identity.close();
  await stubs.close();
  email.close();
  await nc.drain();
  await Promise.all([ticketSql.end(), idSql.end(), notifierSql.end()]);
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
