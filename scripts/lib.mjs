// Shared steps of `npm run up` and `npm test`. Plain Node, no dependencies: these run before
// `npm ci` has installed anything.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
