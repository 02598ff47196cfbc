// What `npm test` checks beyond the tests' own results: every workspace package runs tests and
// leaves its vitest JSON report, and the run is CI's (a focused `.only` test fails it). Plain
// Node, no dependencies: it runs before `npm ci` may have installed anything.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The report each package's vitest writes (vitest.shared.ts). */
export const RESULTS_FILE = '.vitest-results.json';

/** The workspace package folders of the root package.json ("packages/*", "workflows", ...). */
export function workspaceDirs(repo) {
  const { workspaces = [] } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const dirs = [];
  for (const pattern of workspaces) {
    if (pattern.endsWith('/*')) {
      const parent = join(repo, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true })) {
        if (entry.isDirectory() && existsSync(join(parent, entry.name, 'package.json'))) dirs.push(join(parent, entry.name));
      }
    } else if (existsSync(join(repo, pattern, 'package.json'))) {
      dirs.push(join(repo, pattern));
    } else {
      throw new Error(`workspace pattern ${pattern} is neither a package folder nor "<folder>/*"`);
    }
  }
  return dirs.sort();
}

/**
 * Packages that would escape the run: without a test script (turbo silently skips them) or,
 * once the run is over (`afterRun`), without a results file (their tests never ran, e.g. because
 * their build failed or their script does not run vitest). Each as { where, message }.
 */
export function testProblems(repo, { afterRun = false } = {}) {
  const problems = [];
  for (const dir of workspaceDirs(repo)) {
    const where = relative(repo, dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!pkg.scripts?.test) {
      problems.push({ where, message: `${pkg.name ?? where} has no "test" script: every workspace package runs its tests in npm test` });
    } else if (afterRun && !existsSync(join(dir, RESULTS_FILE))) {
      problems.push({ where, message: `${pkg.name ?? where} wrote no test results (${RESULTS_FILE}): its tests did not run` });
    }
  }
  return problems;
}

/** The report files present now, one per package that ran vitest. */
export function resultFiles(repo) {
  return workspaceDirs(repo)
    .map((dir) => join(dir, RESULTS_FILE))
    .filter((f) => existsSync(f));
}

/**
 * The environment of the test run: CI's. vitest, seeing CI, refuses a focused test (`it.only`,
 * `describe.only`) instead of quietly running only it.
 */
export function ciEnv(base) {
  return { ...base, CI: 'true', LOG_LEVEL: base.LOG_LEVEL ?? 'silent', NODE_ENV: 'test' };
}
