// Shared steps of `npm run up` and `npm test`. Plain Node, no dependencies: these run before
// `npm ci` has installed anything.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolPaths, versions } from '../infra/lib/tools.mjs';

export const repo = dirname(dirname(fileURLToPath(import.meta.url)));

export function log(msg) {
  process.stdout.write(`\n▶ ${msg}\n`);
}

/** Runs a command inheriting stdio; throws on a non-zero exit unless `allowFail`. */
export function run(cmd, args, { env = process.env, allowFail = false, cwd = repo } = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, cwd });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFail) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return r.status ?? 1;
}

export function runAsync(cmd, args, { env = process.env, cwd = repo } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env, cwd });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** npm ci when node_modules is missing or older than the lock file; otherwise nothing. */
export function ensureNodeModules() {
  const marker = join(repo, 'node_modules', '.package-lock.json');
  const lock = join(repo, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) {
    log('npm dependencies: up to date');
    return;
  }
  log('npm ci');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

export function installTools() {
  log('infrastructure tools (infra/install.mjs)');
  run(process.execPath, [join(repo, 'infra', 'install.mjs')]);
}

/**
 * Tierline runs on the Node.js pinned in infra/versions.json (24 LTS, package.json `engines`;
 * decision 28). On an older Node, installs the pinned one into the tools cache and runs the calling
 * script again under it, its bin dir first in PATH so that every child process (npm, npx, turbo,
 * vitest, the services, the worker) runs on it as well; this process then only waits and exits as
 * the child did. On a Node that is new enough it returns at once and changes nothing.
 * `running` is the running Node's version; tests/deploy/src/node-version.test.ts passes an old one.
 */
export async function usePinnedNode({ running = process.versions.node } = {}) {
  const { version } = versions().node;
  const want = Number(version.split('.')[0]);
  if (Number(running.split('.')[0]) >= want) return;
  if (process.env.TIERLINE_PINNED_NODE) {
    throw new Error(`${process.env.TIERLINE_PINNED_NODE} runs Node ${running}, not the pinned ${version}`);
  }
  log(`Node.js ${version} (this is Node ${running}; Tierline needs ${want}+)`);
  run(process.execPath, [join(repo, 'infra', 'install.mjs'), 'node']);
  const node = toolPaths().node;
  const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`, TIERLINE_PINNED_NODE: node },
  });
  // Ctrl-C reaches the child through the terminal's process group, so this process ignores it;
  // SIGTERM and SIGHUP sent to this process are passed on. The child decides how to stop
  // (scripts/chaos.mjs cleans up first).
  process.on('SIGINT', () => {});
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  const [code, signal] = await once(child, 'exit');
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
}
