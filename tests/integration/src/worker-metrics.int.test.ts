import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '@tierline/testing';
import { WORKFLOW_BUNDLE_FILE, buildWorkflowBundle } from '@tierline/workflows/bundle';
import { eventually } from './harness.js';

/**
 * Issue #7, metrics: the worker process as deployed (workflows/src/worker.ts, its own process, the
 * Temporal SDK's runtime installed once) serves its own Prometheus metrics on METRICS_ADDRESS and
 * the SDK's on TEMPORAL_METRICS_ADDRESS. Only a separate process can show the second: the SDK
 * runtime is installed once per process, and the test runner's is already installed. Like the
 * deployed worker, it loads a prebuilt workflow bundle (decision 25), built here from the sources.
 */

const WORKER = fileURLToPath(new URL('../../../workflows/src/worker.ts', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

describe('the worker process serves Prometheus metrics', () => {
  let child: ChildProcess;
  let output = '';
  let metricsPort = 0;
  let sdkPort = 0;
  const bundleDir = mkdtempSync(join(tmpdir(), 'workflow-bundle-'));
  const workflowBundlePath = join(bundleDir, WORKFLOW_BUNDLE_FILE);

  beforeAll(async () => {
    const env = testEnv();
    await buildWorkflowBundle(workflowBundlePath);
    metricsPort = await freePort();
    sdkPort = await freePort();
    child = spawn(process.execPath, ['--conditions=@tierline/source', '--import', 'tsx', WORKER], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: env.databaseUrl,
        NATS_URL: env.natsServers,
        // The worker's own NATS user and its dev secret, as `npm run up` starts it.
        NATS_USER: 'worker',
        NATS_PASSWORD: 'worker-dev-secret',
        TEMPORAL_ADDRESS: env.temporalAddress,
        TEMPORAL_NAMESPACE: env.temporalNamespace,
        TICKET_TASK_QUEUE: `it-worker-metrics-${randomBytes(4).toString('hex')}`,
        METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
        TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${sdkPort}`,
        WORKFLOW_BUNDLE_PATH: workflowBundlePath,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await eventually('the worker to start polling', async () => (output.includes('"worker started"') ? true : undefined), 90_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n--- worker output ---\n${output.slice(-3000)}`);
    });
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(bundleDir, { recursive: true, force: true });
  });

  it('runs the prebuilt workflow bundle it was given', () => {
    const started = output.split('\n').find((line) => line.includes('"worker started"'));
    expect(started).toBeDefined();
    expect(JSON.parse(started!)).toMatchObject({ workflowBundlePath });
  });

  const scrape = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };

  it("serves its own counters (escalations fired) and process metrics on METRICS_ADDRESS", async () => {
    const own = await scrape(metricsPort);
    expect(own.status).toBe(200);
    expect(own.type).toMatch(/^text\/plain/);
    expect(own.text).toContain('# TYPE tierline_escalations_fired_total counter');
    expect(own.text).toMatch(/process_resident_memory_bytes\{service="worker"\} \d+/);
    expect(own.text).toMatch(/nodejs_eventloop_lag_seconds\{service="worker"\}/);
  });

  it("serves the Temporal SDK's own metrics (polls, task slots) on TEMPORAL_METRICS_ADDRESS", async () => {
    // The SDK reports its pollers and slots once they have run for a moment.
    const sdk = await eventually('the SDK worker metrics', async () => {
      const r = await scrape(sdkPort);
      return r.status === 200 && /^temporal_worker_task_slots_available\{/m.test(r.text) ? r : undefined;
    }, 30_000);
    expect(sdk.text).toMatch(/^temporal_num_pollers\{[^}]*poller_type="workflow_task"/m);
    expect(sdk.text).toMatch(/^temporal_request(_total)?\{[^}]*operation="[A-Za-z]+"/m);
  });
});

describe('the worker process without a workflow bundle', () => {
  it('refuses to start, naming the missing file and how to build it', () => {
    const env = testEnv();
    const missing = join(tmpdir(), `no-such-dir-${randomBytes(4).toString('hex')}`, WORKFLOW_BUNDLE_FILE);
    const r = spawnSync(process.execPath, ['--conditions=@tierline/source', '--import', 'tsx', WORKER], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: env.databaseUrl,
        NATS_URL: env.natsServers,
        NATS_USER: 'worker',
        NATS_PASSWORD: 'worker-dev-secret',
        WORKFLOW_BUNDLE_PATH: missing,
        LOG_LEVEL: 'info',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    const fatal = JSON.parse(r.stdout.split('\n').find((line) => line.includes('no workflow bundle'))!);
    expect(fatal).toMatchObject({ level: 60, workflowBundlePath: missing });
    expect(fatal.msg).toContain('npm run build');
  });
});
