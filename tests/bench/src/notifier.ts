/**
 * A child process of the bench: the identity service (directory synced from the real Keycloak, the
 * demo people's contacts) and the notification delivery pipeline (recipient resolution through the
 * identity and ticket services, email to the real SMTP server), on the bench's database.
 *
 * Both are tests/stack's (the browser tests' and the fuzzer's), fed the same way: a plain core-NATS
 * subscription to the notify commands, which copies and takes nothing from TIERLINE_COMMANDS (a work
 * queue with one consumer per subject, the notification service's durable), and handles only the
 * commands of this bench's tickets, one at a time as the service's consumer does. A second durable
 * on that subject is refused by the server, and taking the commands of other runs sharing the
 * NATS server would mail their people.
 *
 * Calls out wait up to 10 s, and the per-person limit is lifted: the bench pages one IT lead
 * hundreds of times a minute, and every escalation's own email is measured.
 *
 * Environment: BENCH_DB_URL (the bench database), BENCH_TICKET_URL (the bench's ticket service).
 * Prints `ready <identity service URL>` once it handles commands.
 */
import '@tierline/testing/quiet-temporal';
import { fileURLToPath } from 'node:url';
import { NOTIFICATION_MIGRATIONS_DIR } from '@tierline/notification';
import { connectNats, createLogger, createSql, migrate } from '@tierline/platform';
import { serviceLogin, testEnv } from '@tierline/testing';
import { startIdentity, startNotifier, type Part } from '@tierline/test-stack';

const dbUrl = process.env.BENCH_DB_URL;
const ticketUrl = process.env.BENCH_TICKET_URL;
if (!dbUrl || !ticketUrl) throw new Error('BENCH_DB_URL and BENCH_TICKET_URL must be set');
const logger = createLogger('bench-notifier', process.env.LOG_LEVEL ?? 'warn');
const nc = await connectNats(testEnv().natsUrl, 'bench-notifier');
const ticketSql = createSql(dbUrl, 'ticket', 2);
const stops: Part['stops'] = [];
const part: Part = { dbUrl, nc, logger, stops };

// The notification schema, as the notification service migrates it at start-up (its own login).
const notificationSql = createSql(await serviceLogin('notification', dbUrl), 'notification', 1);
await migrate(notificationSql, { schema: 'notification', dir: fileURLToPath(NOTIFICATION_MIGRATIONS_DIR) });
await notificationSql.end();

const identityUrl = await startIdentity({ ...part, ticketUrl, contacts: true, limit: undefined });
const notifier = await startNotifier({ ...part, ticketSql, ticketUrl, identityUrl, timeoutMs: 10_000, rateLimit: 1_000_000, leaseMs: 20_000 });
await nc.flush();
process.stdout.write(`ready ${identityUrl}\n`);

const stop = async () => {
  for (const s of stops.reverse()) await s();
  process.stderr.write(`notifier: ${notifier.handled()} commands handled\n`);
  await nc.drain();
  await ticketSql.end();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
