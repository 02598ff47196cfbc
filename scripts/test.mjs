// `npm test`: everything CI checks, on real servers. Installs the pinned tools and npm
// dependencies, starts the servers that are not already running, runs build, lint, typecheck
// and every test package (unit, workflow and integration tests), prints one summary line,
// and stops exactly the servers it started.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNodeModules, installTools, log, repo, run, runAsync } from './lib.mjs';

installTools();
ensureNodeModules();

const { infraEnv } = await import('../infra/lib/env.mjs');
const { toolPaths } = await import('../infra/lib/tools.mjs');

const dataDir = process.env.TIERLINE_DATA_DIR || join(repo, '.data');
mkdirSync(dataDir, { recursive: true });
const record = join(dataDir, `test-started-${process.pid}`);
rmSync(record, { force: true });

let code = 1;
try {
  log('starting servers the tests need (infra/stack.mjs)');
  run(process.execPath, [join(repo, 'infra', 'stack.mjs'), 'up', '--record', record]);

  const env = {
    ...process.env,
    ...infraEnv(),
    TIERLINE_TEMPORAL_TEST_SERVER: toolPaths().temporalTestServer,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    NODE_ENV: 'test',
  };
  for (const f of findResults()) rmSync(f, { force: true });
  log('turbo: build, lint, typecheck, test');
  code = await runAsync('npx', ['turbo', 'run', 'build', 'lint', 'typecheck', 'test', '--concurrency=2', '--continue'], { env });
  printSummary();
} finally {
  log('stopping the servers this run started');
  if (existsSync(record)) run(process.execPath, [join(repo, 'infra', 'stack.mjs'), 'down', '--from', record], { allowFail: true });
  rmSync(record, { force: true });
}
process.exit(code);

function findResults() {
  const out = [];
  for (const group of ['packages', 'services', 'tests']) {
    const dir = join(repo, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) out.push(join(dir, name, '.vitest-results.json'));
  }
  out.push(join(repo, 'workflows', '.vitest-results.json'));
  return out.filter((f) => existsSync(f));
}

/** One closing line for CI, summed over every package's vitest JSON report. */
function printSummary() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const f of findResults()) {
    const r = JSON.parse(readFileSync(f, 'utf8'));
    passed += r.numPassedTests ?? 0;
    // A suite that fails before its tests run (a failing beforeAll) counts as a failure too.
    failed += (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0) - Math.min(r.numFailedTestSuites ?? 0, r.numFailedTests ?? 0);
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  }
  process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
}
