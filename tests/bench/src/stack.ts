/**
 * The Tierline under test: the built ticket service and worker as their own processes (the same
 * `dist/` entry points a deployment runs, configured only through their environment), plus the
 * identity service and notification pipeline in one more process (notifier.ts), on a database,
 * a task queue and ports of the bench's own. The shared servers (PostgreSQL, NATS, Temporal,
 * Keycloak, Mailpit) are used as they are; the dev stack's data and processes are not touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DEFAULT_POLICY, validatePolicy } from '@tierline/domain';
import { createSql, migrate, type Sql } from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { ensureInitialPolicy, TICKET_MIGRATIONS_DIR } from '@tierline/ticket';
import type { EscalationPolicy } from '@tierline/contracts';
import { terminateTaskQueue, waitUntil } from './temporal.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const logDir = `${repo}.data/bench`;

/** Minutes in a day: the response target of everything but P1, so the load never escalates during a run. */
const DAY = 24 * 60;

/**
 * The clinic's priority matrix on a 24/7 calendar. P1 escalates to the IT leads by email one
 * minute after opening (the measured deadline); P2–P4 only after a day, so they are open load.
 */
export const BENCH_POLICY: EscalationPolicy = {
  ...DEFAULT_POLICY,
  name: 'Benchmark policy',
  calendars: { always: { mode: '24x7', timeZone: 'UTC' } },
  rules: (['P1', 'P2', 'P3', 'P4'] as const).map((priority) => ({
    priority,
    calendar: 'always',
    responseTargetMinutes: priority === 'P1' ? 1 : DAY,
    resolutionTargetMinutes: 2 * DAY,
    warnings: [],
    levels: [{ after: { clock: 'response' as const, minutes: priority === 'P1' ? 1 : DAY }, tier: 2 as const, targets: [{ kind: 'it_lead' as const }], channels: ['email' as const] }],
  })),
};
export const P1_DUE_MS = 60_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

function startProcess(name: string, args: string[], env: Record<string, string>, onStdout?: (line: string) => void): Proc {
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(`${logDir}/${name}.log`);
  // BENCH_PROFILE=1: a V8 CPU profile of each process next to its log, to find where the time goes.
  const profile = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${logDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profile, ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    log.write(d);
    if (!onStdout) return;
    buf += d.toString('utf8');
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onStdout(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  child.stderr.on('data', (d: Buffer) => log.write(d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    log.end();
    resolve(code);
  }));
  return { name, child, exited };
}

async function stopProcess(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  await p.exited;
  clearTimeout(timer);
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** Fails at once, with where to look, if a process dies while we wait for it. */
function alive(p: Proc) {
  if (p.child.exitCode !== null) throw new Error(`${p.name} exited with ${p.child.exitCode}; see .data/bench/${p.name}.log`);
}

export async function startBenchStack() {
  const env = testEnv();
  const suffix = randomBytes(4).toString('hex');
  const taskQueue = `bench-tickets-${suffix}`;
  const db = await createTestDatabase('bench');
  const sql: Sql = createSql(db.url, 'ticket', 10);
  const procs: Proc[] = [];
  const connection = await Connection.connect({ address: env.temporalAddress });
  const temporal = new Client({ connection, namespace: env.temporalNamespace });

  const stop = async () => {
    for (const p of [...procs].reverse()) await stopProcess(p);
    await terminateTaskQueue(temporal, taskQueue).catch((err: unknown) => console.error(`could not delete the bench workflows of ${taskQueue}:`, err));
    await connection.close();
    await sql.end();
    await db.drop();
  };
  try {
    const issues = validatePolicy(BENCH_POLICY);
    if (issues.length > 0) throw new Error(`the bench policy is invalid: ${JSON.stringify(issues)}`);
    await migrate(sql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
    await ensureInitialPolicy(sql, BENCH_POLICY, 'system:bench');
    // Ticket numbers of the bench's own range, so its emails in the shared Mailpit are told apart
    // from those of other runs (every fresh database starts at IT-1001).
    const firstNumber = randomInt(10_000, 90_000) * 10_000;
    await sql.unsafe(`alter sequence ticket_number_seq restart with ${firstNumber}`);

    const natsServers = env.natsServers;
    const common = {
      // The demo's dev secrets (below) are refused with NODE_ENV=production (decision 18).
      NODE_ENV: 'development',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      DATABASE_URL: db.url,
      NATS_URL: natsServers,
      TEMPORAL_ADDRESS: env.temporalAddress,
      TEMPORAL_NAMESPACE: env.temporalNamespace,
      TICKET_TASK_QUEUE: taskQueue,
      KEYCLOAK_URL: env.keycloakUrl,
      KEYCLOAK_REALM: env.realm,
    };
    const ticketPort = await freePort();
    const ticket = startProcess('ticket', ['--enable-source-maps', 'services/ticket/dist/main.js'], {
      ...common,
      PORT: String(ticketPort),
      NATS_USER: 'ticket',
      NATS_PASSWORD: 'ticket-dev-secret',
      // One person opens every bench ticket: the per-person limit (120/min) would measure itself.
      TICKET_CREATE_RATE_LIMIT_PER_MINUTE: '1000000',
    });
    procs.push(ticket);
    const metricsPort = await freePort();
    const worker = startProcess('worker', ['--enable-source-maps', 'workflows/dist/worker.js'], {
      ...common,
      NATS_USER: 'worker',
      NATS_PASSWORD: 'worker-dev-secret',
      METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
    });
    procs.push(worker);
    const ticketUrl = `http://127.0.0.1:${ticketPort}`;
    await waitUntil('the ticket service to be ready', 90_000, async () => (alive(ticket), httpOk(`${ticketUrl}/readyz`)));
    await waitUntil('the worker to poll its task queue', 90_000, async () => {
      alive(worker);
      const d = await temporal.workflowService.describeTaskQueue({ namespace: env.temporalNamespace, taskQueue: { name: taskQueue }, taskQueueType: 1 });
      return d.pollers.length > 0;
    });

    let identityUrl = '';
    const notifier = startProcess(
      'notifier',
      ['--conditions=@tierline/source', '--import', 'tsx', fileURLToPath(new URL('./notifier.ts', import.meta.url))],
      { LOG_LEVEL: common.LOG_LEVEL, BENCH_DB_URL: db.url, BENCH_TICKET_URL: ticketUrl },
      (line) => {
        if (line.startsWith('ready ')) identityUrl = line.slice(6);
      },
    );
    procs.push(notifier);
    await waitUntil('the notifier to be ready', 90_000, async () => (alive(notifier), identityUrl !== ''));

    return {
      ticketUrl,
      workerMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      workerPid: worker.child.pid!,
      taskQueue,
      sql,
      temporal,
      firstNumber,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;
