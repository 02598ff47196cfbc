// `npm run chaos`: the fault tests. Brings up a complete, isolated Tierline — its own data dir
// (.data/chaos, wiped first) and its own ports (the usual ones + 10000) for every server and
// process, so a stack already running on this machine is not touched — then runs the scenario
// (tests/chaos/src/run.ts: kill -9 of each part in turn, then the checker) and stops everything it
// started, by the pid files of that data dir only, also when the run fails or is interrupted.
// Results: tests/chaos/results/latest.md and latest.json. Exit code 1 when an invariant fails.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNodeModules, installTools, log, repo, run, runAsync, usePinnedNode } from './lib.mjs';

await usePinnedNode();

const OFFSET = Number(process.env.CHAOS_PORT_OFFSET ?? 10000);
const dataDir = process.env.CHAOS_DATA_DIR ?? join(repo, '.data', 'chaos');
const ports = {
  PG_PORT: 55432, NATS_PORT: 4222, NATS_MONITOR_PORT: 8222, TEMPORAL_PORT: 7233, TEMPORAL_UI_PORT: 8233,
  KEYCLOAK_PORT: 8180, KEYCLOAK_MANAGEMENT_PORT: 9180, MAILPIT_SMTP_PORT: 1025, MAILPIT_UI_PORT: 8025,
  TICKET_PORT: 3001, IDENTITY_PORT: 3002, NOTIFICATION_PORT: 3003, AUDIT_PORT: 3004, PROVIDER_STUBS_PORT: 3010, PORTAL_PORT: 3000,
  // The notification service's mail-in listener (scripts/apps.mjs).
  INBOUND_SMTP_PORT: 2525,
  // The attachments' object store (infra/stack.mjs): the chaos system's own, not the one of a stack already up.
  OBJECT_STORE_PORT: 7070,
};
// Everything below reads its ports and data dir from the environment (infra/lib/env.mjs,
// scripts/apps.mjs, @tierline/testing), so setting it here points all of it at the chaos system.
// Variables a developer's shell may carry for the shared stack are overridden, not inherited.
Object.assign(process.env, {
  TIERLINE_DATA_DIR: dataDir,
  ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v + OFFSET)])),
  // The worker's two metrics listeners would collide with the shared stack's worker.
  METRICS_ADDRESS: `127.0.0.1:${9465 + OFFSET}`,
  TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${9464 + OFFSET}`,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
});
for (const k of ['DATABASE_URL', 'NATS_URL', 'TEMPORAL_ADDRESS', 'KEYCLOAK_URL', 'KEYCLOAK_ISSUER', 'SMTP_URL', 'MAILPIT_URL', 'NATS_USER', 'NATS_PASSWORD']) {
  delete process.env[k];
}

const stack = (...args) => run(process.execPath, [join(repo, 'infra', 'stack.mjs'), ...args], { allowFail: args[0] === 'down' });
const { stopApps } = await import('./apps.mjs');

/** Stops whatever runs from the chaos data dir: its pid files name only the chaos system's processes. */
async function teardown() {
  log('stopping the chaos system');
  await stopApps().catch((err) => console.error(`stopping the Tierline processes failed: ${err.message}`));
  if (existsSync(dataDir)) stack('down');
}

let code = 1;
let stopping = false;
const interrupted = async (signal) => {
  if (stopping) return;
  stopping = true;
  console.error(`\n${signal}: stopping the chaos system`);
  await teardown();
  process.exit(130);
};
process.on('SIGINT', () => void interrupted('SIGINT'));
process.on('SIGTERM', () => void interrupted('SIGTERM'));

try {
  if (!process.argv.includes('--no-build')) {
    installTools();
    ensureNodeModules();
    log('build (turbo)');
    run('npx', ['turbo', 'run', 'build', '--concurrency=2']);
  }
  // A fresh system each run: a leftover from an interrupted run is stopped, then wiped.
  await teardown();
  rmSync(dataDir, { recursive: true, force: true });

  log(`isolated infrastructure in ${dataDir}, ports + ${OFFSET}`);
  stack('up');
  const { startApps, waitForApps } = await import('./apps.mjs');
  log('Tierline services, worker and portal');
  await startApps();
  await waitForApps();

  log('the chaos scenario (tests/chaos/src/run.ts)');
  code = await runAsync(process.execPath, ['--import', 'tsx', '--conditions=@tierline/source', join(repo, 'tests', 'chaos', 'src', 'run.ts')], {
    env: process.env,
  });
} catch (err) {
  console.error(`chaos: ${err.message}`);
  code = 1;
} finally {
  if (!stopping && !process.argv.includes('--keep')) await teardown();
}
process.exit(code);
