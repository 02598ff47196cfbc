import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm test` (scripts/test.mjs) must not pass while something escaped it: a workspace package
 * without a test script, one whose tests never ran, or a focused `.only` test. The checks live in
 * scripts/test-check.mjs; here they run on fabricated workspaces, on this repository, and, for
 * CI=true, on a real vitest run.
 */
interface Problem {
  where: string;
  message: string;
}
interface TestCheck {
  RESULTS_FILE: string;
  workspaceDirs(repo: string): string[];
  testProblems(repo: string, options?: { afterRun?: boolean }): Problem[];
  resultFiles(repo: string): string[];
  ciEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const check = (await import(pathToFileURL(join(REPO, 'scripts', 'test-check.mjs')).href)) as TestCheck;

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** A repository with these workspace packages: folder → package.json scripts (null: none). */
function fakeRepo(packages: Record<string, Record<string, string> | null>): string {
  const root = mkdtempSync(join(tmpdir(), 'tierline-runner-'));
  temps.push(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'root', workspaces: ['packages/*', 'workflows'] }));
  for (const [dir, scripts] of Object.entries(packages)) {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'package.json'), JSON.stringify({ name: `@x/${dir.split('/').pop()}`, ...(scripts ? { scripts } : {}) }));
  }
  return root;
}

describe('the test runner checks', () => {
  it('finds every workspace package, from the root package.json', () => {
    const root = fakeRepo({ 'packages/a': { test: 'vitest run' }, 'packages/b': { test: 'vitest run' }, workflows: { test: 'vitest run' } });
    mkdirSync(join(root, 'packages', 'not-a-package'));
    expect(check.workspaceDirs(root).map((d) => d.slice(root.length + 1))).toEqual(['packages/a', 'packages/b', 'workflows']);
  });

  it('fails a package without a test script, naming it', () => {
    const root = fakeRepo({ 'packages/a': { test: 'vitest run' }, 'packages/b': { lint: 'eslint .' }, workflows: null });
    const problems = check.testProblems(root);
    expect(problems.map((p) => p.where)).toEqual(['packages/b', 'workflows']);
    expect(problems[0]!.message).toMatch(/@x\/b has no "test" script/);
  });

  it('after the run, fails a package that wrote no results, and only that one', () => {
    const root = fakeRepo({ 'packages/a': { test: 'vitest run' }, 'packages/b': { test: 'vitest run' }, workflows: { test: 'vitest run' } });
    writeFileSync(join(root, 'packages', 'a', check.RESULTS_FILE), '{}');
    writeFileSync(join(root, 'workflows', check.RESULTS_FILE), '{}');
    expect(check.testProblems(root)).toEqual([]);
    const after = check.testProblems(root, { afterRun: true });
    expect(after.map((p) => p.where)).toEqual(['packages/b']);
    expect(after[0]!.message).toMatch(/@x\/b wrote no test results/);
    expect(check.resultFiles(root).map((f) => f.slice(root.length + 1))).toEqual([`packages/a/${check.RESULTS_FILE}`, `workflows/${check.RESULTS_FILE}`]);
  });

  it('holds for this repository: every workspace package has a test script that runs vitest', () => {
    const dirs = check.workspaceDirs(REPO).map((d) => d.slice(REPO.length + 1));
    expect(dirs).toEqual(expect.arrayContaining(['packages/contracts', 'services/ticket', 'workflows', 'tests/integration', 'tests/deploy']));
    expect(check.testProblems(REPO)).toEqual([]);
    for (const d of dirs) {
      const { scripts } = JSON.parse(readFileSync(join(REPO, d, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
      // The results file is vitest's JSON report (vitest.shared.ts): another runner would leave none.
      expect(scripts['test'], d).toMatch(/^vitest run\b/);
    }
  });

  it('runs with CI=true, under which vitest fails a focused test', () => {
    const env = check.ciEnv({ PATH: process.env['PATH'], LOG_LEVEL: 'silent' });
    expect(env).toMatchObject({ CI: 'true', NODE_ENV: 'test', LOG_LEVEL: 'silent' });

    const dir = mkdtempSync(join(tmpdir(), 'tierline-focus-'));
    temps.push(dir);
    writeFileSync(join(dir, 'focus.test.js'), "it.only('the one being worked on', () => {});\nit('all the others', () => { throw new Error('never runs'); });\n");
    const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
    const runIn = (e: NodeJS.ProcessEnv) => spawnSync(process.execPath, [vitest, 'run', '--root', dir, '--globals', '--reporter=default'], { env: e, encoding: 'utf8' });

    const outside = runIn({ ...env, CI: '' });
    expect(outside.status, `${outside.stdout}${outside.stderr}`).toBe(0);
    const inCi = runIn(env);
    expect(inCi.status).not.toBe(0);
    expect(`${inCi.stdout}${inCi.stderr}`).toMatch(/\.only/);
  });
});
