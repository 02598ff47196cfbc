// Generic helpers to run long-lived local processes detached, in the layout
//   <dataDir>/<name>/pid   (pid of the process-group leader)
//   <dataDir>/<name>/log   (stdout + stderr, appended)
// dataDir() is $TIERLINE_DATA_DIR or <repo>/.data. Used by infra/stack.mjs; reusable for Tierline services.
import { spawn } from 'node:child_process';
import {
  closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { repoDir } from './tools.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function dataDir() {
  return process.env.TIERLINE_DATA_DIR || join(repoDir, '.data');
}

/** <dataDir>/<name>, created on demand. */
export function serviceDir(name) {
  const dir = join(dataDir(), name);
  mkdirSync(dir, { recursive: true });
  // Keep runtime state out of git without touching the repo's own .gitignore.
  const ignore = join(dataDir(), '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# runtime state of infra/stack.mjs\n*\n');
  return dir;
}

export const pidFile = (name) => join(dataDir(), name, 'pid');
export const logFile = (name) => join(dataDir(), name, 'log');

export function readPid(name) {
  try {
    const pid = Number.parseInt(readFileSync(pidFile(name), 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function writePid(name, pid) {
  serviceDir(name);
  writeFileSync(pidFile(name), `${pid}\n`);
}

export function removePid(name) {
  rmSync(pidFile(name), { force: true });
}

/** True if `pid` exists and is not a zombie. */
export function pidAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** True if <name>'s pid file names a live process. */
export function isRunning(name) {
  return pidAlive(readPid(name));
}

/** Last `n` lines of <name>'s log (or of `file`). */
export function tailLog(nameOrFile, n = 40) {
  const file = nameOrFile.includes('/') ? nameOrFile : logFile(nameOrFile);
  try {
    const st = statSync(file);
    const size = Math.min(st.size, 256 * 1024);
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(size);
    readSync(fd, buf, 0, size, st.size - size);
    closeSync(fd);
    return buf.toString('utf8').split('\n').slice(-n - 1).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

/**
 * Starts `cmd args` detached in its own process group (setsid), stdout+stderr appended to <name>/log,
 * pid written to <name>/pid. The process outlives this script. Returns the pid.
 * Options: uid/gid to drop privileges; env is merged over process.env unless cleanEnv is true.
 */
export function startDetached({ name, cmd, args = [], env = {}, cwd, uid, gid, cleanEnv = false }) {
  const dir = serviceDir(name);
  const log = openSync(join(dir, 'log'), 'a');
  writeFileSync(log, `\n==== ${new Date().toISOString()} starting ${cmd} ${args.join(' ')}\n`);
  const child = spawn(cmd, args, {
    cwd: cwd || dir,
    env: cleanEnv ? env : { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', log, log],
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
  });
  closeSync(log);
  child.on('error', (err) => {
    writeFileSync(join(dir, 'log'), `failed to start ${cmd}: ${err.message}\n`, { flag: 'a' });
  });
  child.unref();
  if (child.pid) writePid(name, child.pid);
  return child.pid;
}

/**
 * Stops <name>: SIGTERM to its process group, waits up to timeoutMs, then SIGKILL; removes the pid file.
 * Returns true if something was running.
 */
export async function stop(name, { timeoutMs = 30_000 } = {}) {
  const pid = readPid(name);
  if (!pidAlive(pid)) {
    removePid(name);
    return false;
  }
  const signal = (sig) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch { /* gone */ }
    }
  };
  const groupAlive = () => {
    try {
      process.kill(-pid, 0);
      return pidAlive(pid) || groupHasLiveMembers(pid);
    } catch {
      return pidAlive(pid);
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (groupAlive() && Date.now() < deadline) await sleep(200);
  if (groupAlive()) {
    signal('SIGKILL');
    while (groupAlive() && Date.now() < deadline + 5000) await sleep(100);
  }
  removePid(name);
  return true;
}

/** True if any non-zombie process is in process group `pgid` (via /proc). */
function groupHasLiveMembers(pgid) {
  let entries;
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return false;
  }
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0]=state, [1]=ppid, [2]=pgrp
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
    } catch { /* raced */ }
  }
  return false;
}

/**
 * Polls `checkFn` (sync or async, truthy = ready) until it succeeds or timeoutMs passes.
 * On timeout throws an Error with the last 40 lines of <name>'s log (or `log` file).
 * If `pid` is given and that process dies, fails early.
 */
export async function waitFor(checkFn, { timeoutMs = 60_000, intervalMs = 500, name, log, pid } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  for (;;) {
    try {
      if (await checkFn()) return;
    } catch (err) {
      lastErr = err;
    }
    const died = pid && !pidAlive(pid);
    if (died || Date.now() > deadline) {
      const why = died ? 'exited before becoming ready' : `not ready after ${Math.round(timeoutMs / 1000)} s`;
      const detail = lastErr ? ` (last check error: ${lastErr.message})` : '';
      const tail = name || log ? `\n--- last 40 lines of ${log || logFile(name)} ---\n${tailLog(log || name, 40)}` : '';
      throw new Error(`${name || 'process'} ${why}${detail}${tail}`);
    }
    await sleep(intervalMs);
  }
}

/** GET `url`; true if status is 200 (or `status`). */
export async function httpOk(url, { status = 200, timeoutMs = 3000 } = {}) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status === status;
  } catch {
    return false;
  }
}

/** True if something accepts TCP connections on host:port. */
export function portOpen(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = connect({ port, host });
    const done = (v) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
