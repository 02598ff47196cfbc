import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Runtime } from '@temporalio/worker';
import { connectNats, createLogger, createMetrics, createSql, ensureStreams, initTracing, parseEnv } from '@tierline/platform';
import { jetstream } from '@nats-io/jetstream';
import { NativeConnection, createTicketWorker } from './worker-factory.js';
import { WORKFLOW_BUNDLE_FILE } from './bundle.js';
import { workerEnvSchema } from './env.js';

const env = parseEnv(workerEnvSchema);
const logger = createLogger('worker', env.LOG_LEVEL);
// The workflow code `npm run build` bundled (decision 25); the worker does not bundle at start-up.
const workflowBundlePath = env.WORKFLOW_BUNDLE_PATH ?? fileURLToPath(new URL(`./${WORKFLOW_BUNDLE_FILE}`, import.meta.url));
if (!existsSync(workflowBundlePath)) {
  logger.fatal({ workflowBundlePath }, 'no workflow bundle: run `npm run build` (or set WORKFLOW_BUNDLE_PATH)');
  process.exit(1);
}
// Spans to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT; off without one.
const tracing = initTracing('worker');
// The SDK's own metrics (workflow and activity task latencies, slots, polls) on their own port;
// this must happen before the first connection creates the runtime.
Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: env.TEMPORAL_METRICS_ADDRESS } } } });
const metrics = createMetrics('worker');
const [metricsHost, metricsPort] = env.METRICS_ADDRESS.split(':') as [string, string];
const metricsServer = createServer((req, res) => {
  if (req.url !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  metrics.registry.metrics().then(
    (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
    (err: unknown) => res.writeHead(500).end(String(err)),
  );
}).listen(Number(metricsPort), metricsHost);

const sql = createSql(env.DATABASE_URL, 'ticket');
const nc = await connectNats(env.NATS_URL, 'tierline-worker', logger, { user: env.NATS_USER, password: env.NATS_PASSWORD });
await ensureStreams(nc);
const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
const worker = await createTicketWorker({
  connection,
  namespace: env.TEMPORAL_NAMESPACE,
  taskQueue: env.TICKET_TASK_QUEUE,
  deps: { sql, js: jetstream(nc), metrics },
  workflowBundlePath,
});
logger.info({ taskQueue: env.TICKET_TASK_QUEUE, namespace: env.TEMPORAL_NAMESPACE, workflowBundlePath }, 'worker started');
// worker.run() resolves after shutdown (the SDK handles SIGTERM/SIGINT itself).
await worker.run();
await nc.drain();
await sql.end({ timeout: 5 });
await connection.close();
metricsServer.close();
await tracing.shutdown();
logger.info('worker stopped');
