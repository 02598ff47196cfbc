// `npm test`: everything CI checks, on real servers. Installs the pinned tools and npm
// dependencies, starts the servers that are not already running, runs build, lint, typecheck
// and every test package (unit, workflow and integration tests) with CI=true, prints one summary
// line, and stops exactly the servers it started. It fails when a workspace package has no test
// script or wrote no results (scripts/test-check.mjs).
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureNodeModules, installTools, log, repo, run, runAsync, usePinnedNode } from './lib.mjs';
import { ciEnv, resultFiles, testProblems } from './test-check.mjs';

await usePinnedNode();

// A package without a test script fails the run before anything starts.
const missing = testProblems(repo);
if (missing.length > 0) {
  for (const { where, message } of missing) process.stdout.write(`\nFAILED ${where}\n    ${message}\n`);
  process.exit(1);
}

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

  const env = ciEnv({
    ...process.env,
    ...infraEnv(),
    TIERLINE_TEMPORAL_TEST_SERVER: toolPaths().temporalTestServer,
    TIERLINE_SCHEMATHESIS: toolPaths().schemathesis,
  });
  for (const f of resultFiles(repo)) rmSync(f, { force: true });
  log('turbo: build, lint, typecheck, test');
  code = await runAsync('npx', ['turbo', 'run', 'build', 'lint', 'typecheck', 'test', '--concurrency=2', '--continue'], { env });
  if (printSummary() > 0 && code === 0) code = 1;
} finally {
  log('stopping the servers this run started');
  if (existsSync(record)) run(process.execPath, [join(repo, 'infra', 'stack.mjs'), 'down', '--from', record], { allowFail: true });
  rmSync(record, { force: true });
}
process.exit(code);

/**
 * One closing line for CI, summed over every package's vitest JSON report, and a failure for
 * each package that left none. Returns the number of failures.
 */
function printSummary() {
  let passed = 0;
  let skipped = 0;
  const failures = testProblems(repo, { afterRun: true });
  for (const f of resultFiles(repo)) {
    const r = JSON.parse(readFileSync(f, 'utf8'));
    const before = failures.length;
    for (const suite of r.testResults ?? []) {
      const file = relative(repo, suite.name ?? '');
      const failedTests = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
      for (const t of failedTests) failures.push({ where: `${file} > ${t.fullName ?? t.title}`, message: (t.failureMessages ?? []).join('\n') });
      // A file that fails before its tests run (a failing beforeAll, an import error) counts too.
      if (suite.status === 'failed' && failedTests.length === 0) failures.push({ where: file, message: suite.message ?? '' });
    }
    if (r.success === false && failures.length === before) failures.push({ where: relative(repo, f), message: 'the run failed without a failed test' });
    passed += r.numPassedTests ?? 0;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  }
  // The failures again at the very end, where a CI log's tail shows them.
  for (const { where, message } of failures) {
    const lines = message.split('\n').filter((l) => l.trim()).slice(0, 6).map((l) => `    ${l.trim().slice(0, 300)}`);
    process.stdout.write(`\nFAILED ${where}\n${lines.join('\n')}\n`);
  }
  process.stdout.write(`\ntests: ${passed} passed, ${failures.length} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  return failures.length;
}
