// Resolves where the pinned infrastructure tools live (see infra/install.mjs).
// Pure path computation plus JAVA_HOME / PostgreSQL discovery: never installs anything.
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const infraDir = dirname(dirname(fileURLToPath(import.meta.url)));
export const repoDir = dirname(infraDir);

export function versions() {
  return JSON.parse(readFileSync(join(infraDir, 'versions.json'), 'utf8'));
}

export function toolsDir() {
  if (process.env.TIERLINE_TOOLS_DIR) return process.env.TIERLINE_TOOLS_DIR;
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'tierline-tools');
}

/** Major version of `<javaHome>/bin/java`, or 0 when it does not run. */
export function javaMajor(javaHome) {
  const java = join(javaHome, 'bin', 'java');
  if (!existsSync(java)) return 0;
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) return 0;
  const major = Number(m[1]);
  return major === 1 ? Number(m[2]) : major; // "1.8.0" -> 8
}

/** $JAVA_HOME if its java is >= min, else the newest /usr/lib/jvm/* that is; null if none. */
export function findJavaHome(min = versions().java.minMajor) {
  if (process.env.JAVA_HOME && javaMajor(process.env.JAVA_HOME) >= min) return process.env.JAVA_HOME;
  const jvmRoot = '/usr/lib/jvm';
  if (!existsSync(jvmRoot)) return null;
  let best = null;
  for (const entry of readdirSync(jvmRoot)) {
    const home = join(jvmRoot, entry);
    const major = javaMajor(home);
    if (major >= min && (!best || major > best.major)) best = { home, major };
  }
  return best ? best.home : null;
}

/** bin dir of the newest Debian-layout PostgreSQL server (/usr/lib/postgresql/<v>/bin), or null. */
export function findPgBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const candidates = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => parseFloat(b) - parseFloat(a));
  return candidates.length ? join(root, candidates[0], 'bin') : null;
}

function recordedJavaHome(dir) {
  try {
    return readFileSync(join(dir, 'java-home'), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

export function toolPaths() {
  const v = versions();
  const dir = toolsDir();
  return {
    toolsDir: dir,
    node: join(dir, `node-${v.node.version}`, 'bin', 'node'),
    temporal: join(dir, `temporal-${v.temporal.version}`, 'temporal'),
    temporalTestServer: join(dir, `temporal-test-server-${v.temporalTestServer.version}`, 'temporal-test-server'),
    natsServer: join(dir, `nats-server-${v.natsServer.version}`, 'nats-server'),
    keycloakHome: join(dir, `keycloak-${v.keycloak.version}`),
    javaHome: findJavaHome(v.java.minMajor) || recordedJavaHome(dir),
    pgBin: findPgBin(),
    mailpit: join(dir, `mailpit-${v.mailpit.version}`, 'mailpit'),
    versitygw: join(dir, `versitygw-${v.versitygw.version}`, 'versitygw'),
    schemathesis: join(dir, `schemathesis-${v.schemathesis.version}`, 'bin', v.schemathesis.binary),
  };
}
