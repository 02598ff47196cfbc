import { connectNats, createLogger, createSql, ensureStreams, parseEnv } from '@tierline/platform';
import { jetstream } from '@nats-io/jetstream';
import { NativeConnection, createTicketWorker } from './worker-factory.js';
import { workerEnvSchema } from './env.js';

const env = parseEnv(workerEnvSchema);
const logger = createLogger('worker', env.LOG_LEVEL);

const sql = createSql(env.DATABASE_URL, 'ticket');
const nc = await connectNats(env.NATS_URL, 'tierline-worker', logger, { user: env.NATS_USER, password: env.NATS_PASSWORD });
await ensureStreams(nc);
const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
const worker = await createTicketWorker({
  connection,
  namespace: env.TEMPORAL_NAMESPACE,
  taskQueue: env.TICKET_TASK_QUEUE,
  deps: { sql, js: jetstream(nc) },
});
logger.info({ taskQueue: env.TICKET_TASK_QUEUE, namespace: env.TEMPORAL_NAMESPACE }, 'worker started');
// worker.run() resolves after shutdown (the SDK handles SIGTERM/SIGINT itself).
await worker.run();
await nc.drain();
await sql.end({ timeout: 5 });
await connection.close();
logger.info('worker stopped');
