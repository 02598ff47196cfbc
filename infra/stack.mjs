#!/usr/bin/env node
// Runs the local infrastructure servers detached, state in <repo>/.data/<name>/ (override TIERLINE_DATA_DIR).
//   node infra/stack.mjs up     [names…] [--record FILE]  start what is not running; FILE gets the names THIS call started
//   node infra/stack.mjs down   [names…] [--from FILE]    stop servers (only those listed in FILE with --from; FILE is then removed)
//   node infra/stack.mjs status                           what runs, and whether it answers
// Names: postgres, nats, temporal, keycloak, mailpit, objectstore (default: all). Tools come from `node infra/install.mjs`.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { DEV_DB_PASSWORDS, OBJECT_STORE, ports } from './lib/env.mjs';
import {
  dataDir, httpOk, isRunning, logFile, pidAlive, portOpen, readPid, removePid, serviceDir, sleep, startDetached, stop,
  tailLog, waitFor, writePid,
} from './lib/proc.mjs';
import { infraDir, toolPaths } from './lib/tools.mjs';
import { demoRealm } from './lib/realm.mjs';

const ALL = ['postgres', 'nats', 'temporal', 'keycloak', 'mailpit', 'objectstore'];
const PORTS = ports();
const TOOLS = toolPaths();
const SEARCH_ATTRIBUTES = {
  TicketNumber: 'Keyword', Priority: 'Keyword', Tier: 'Int', Status: 'Keyword', Site: 'Keyword', PolicyVersion: 'Int',
};
const NAMESPACE = 'tierline';
const isRoot = process.getuid?.() === 0;

// ---------------------------------------------------------------- small helpers
function run(cmd, args, { env, timeoutMs = 30_000, input } = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    if (input) child.stdin.end(input);
    child.on('error', (err) => { clearTimeout(timer); resolvePromise({ code: -1, out: err.message }); });
    child.on('close', (code) => { clearTimeout(timer); resolvePromise({ code, out }); });
  });
}

function need(file, what) {
  if (!file || !existsSync(file)) throw new Error(`${what} not found${file ? ` at ${file}` : ''}; run: node infra/install.mjs`);
  return file;
}

const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------- postgres
// PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` system user
// (or `tierline`, created on demand) and initdb/pg_ctl run through `runuser -u <user> --`.
const pg = {
  dir: () => serviceDir('postgres'),
  data: () => join(dataDir(), 'postgres', 'data'),
  bin(tool) {
    return need(TOOLS.pgBin && join(TOOLS.pgBin, tool), `PostgreSQL ${tool}`);
  },
  _user: undefined,
  user() {
    if (!isRoot) return null;
    if (this._user) return this._user;
    for (const name of ['postgres', 'tierline']) {
      const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
      if (uid.status === 0) {
        const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
        this._user = { name, uid: Number(uid.stdout), gid: Number(gid.stdout) };
        return this._user;
      }
    }
    const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent',
      '--shell', '/usr/sbin/nologin', 'tierline'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot create system user tierline for PostgreSQL: ${r.stderr}`);
    this._user = null;
    return this.user();
  },
  /** Command line that runs `tool args` as the cluster owner. */
  as(tool, args) {
    const u = this.user();
    return u ? ['runuser', ['-u', u.name, '--', this.bin(tool), ...args]] : [this.bin(tool), args];
  },
  chown(path) {
    const u = this.user();
    if (u) chownSync(path, u.uid, u.gid);
  },
  /** The server user must be able to traverse every parent of .data/postgres (o+x). */
  openParents() {
    if (!isRoot) return;
    let dir = dirname(resolve(this.dir()));
    for (;;) {
      const st = statSync(dir);
      if ((st.mode & 0o001) === 0) chmodSync(dir, (st.mode & 0o7777) | 0o001);
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  },
  /** Unix socket dir: .data/postgres, unless that path is too long for a socket name. */
  socketDir() {
    const dir = resolve(this.dir());
    if (dir.length + 20 < 100) return dir;
    const short = `/tmp/tierline-pg-${createHash('sha1').update(dir).digest('hex').slice(0, 10)}`;
    mkdirSync(short, { recursive: true, mode: 0o700 });
    this.chown(short);
    return short;
  },
  livePid() {
    const pid = readPid('postgres');
    if (pidAlive(pid)) return pid;
    try {
      const pm = Number.parseInt(readFileSync(join(this.data(), 'postmaster.pid'), 'utf8').split('\n')[0], 10);
      if (pidAlive(pm)) {
        writePid('postgres', pm);
        return pm;
      }
    } catch { /* no postmaster.pid */ }
    return null;
  },
  psql(sql, db = 'postgres') {
    return run(this.bin('psql'), ['-h', '127.0.0.1', '-p', String(PORTS.pg), '-U', 'tierline', '-d', db, '-v', 'ON_ERROR_STOP=1',
      '-tAc', sql], { env: { PGPASSWORD: 'tierline', PGCONNECT_TIMEOUT: '3' } });
  },
  async probe() {
    if (!(await portOpen(PORTS.pg))) return false;
    const r = await run(this.bin('pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(PORTS.pg)]);
    return r.code === 0;
  },
  async ready() {
    if (!(await this.probe())) return false;
    const r = await this.psql('select 1');
    if (r.code !== 0) throw new Error(r.out.trim());
    return r.out.trim() === '1';
  },
  async initdb() {
    const dir = this.dir();
    const data = this.data();
    const stamp = join(dir, 'initialized');
    if (existsSync(stamp) && existsSync(join(data, 'PG_VERSION'))) return false;
    rmSync(data, { recursive: true, force: true }); // half-finished earlier attempt
    this.openParents();
    this.chown(dir);
    chmodSync(dir, 0o700);
    const pw = join(dir, 'initdb.pw');
    writeFileSync(pw, 'tierline\n', { mode: 0o600 });
    this.chown(pw);
    const [cmd, args] = this.as('initdb', ['-D', data, '-U', 'tierline', `--pwfile=${pw}`, '--auth-local=trust',
      '--auth-host=scram-sha-256', '--encoding=UTF8', '--no-locale']);
    const r = await run(cmd, args, { timeoutMs: 120_000 });
    rmSync(pw, { force: true });
    appendFileSync(logFile('postgres'), r.out);
    if (r.code !== 0) throw new Error(`initdb failed:\n${r.out}`);
    // Per-start settings (port, listen address, socket dir) live in tierline.conf, rewritten at each start.
    appendFileSync(join(data, 'postgresql.conf'), "\n# Tierline: settings written by infra/stack.mjs at each start\ninclude_if_exists = 'tierline.conf'\n");
    return true;
  },
  async start() {
    const fresh = await this.initdb();
    const conf = join(this.data(), 'tierline.conf');
    writeFileSync(conf, [
      "listen_addresses = '127.0.0.1'",
      `port = ${PORTS.pg}`,
      `unix_socket_directories = '${this.socketDir().replace(/'/g, "''")}'`,
      '',
    ].join('\n'));
    this.chown(conf);
    const log = logFile('postgres');
    if (!existsSync(log)) writeFileSync(log, '');
    this.chown(log);
    // -W: do not wait here (we wait below with a timeout and the log tail). pg_ctl puts the postmaster in its own session.
    const [cmd, args] = this.as('pg_ctl', ['-D', this.data(), '-l', log, '-W', 'start']);
    const r = await run(cmd, args);
    if (r.code !== 0) throw new Error(`pg_ctl start failed:\n${r.out}\n--- last 40 lines of ${log} ---\n${tailLog(log)}`);
    await waitFor(() => this.ready(), { timeoutMs: 60_000, name: 'postgres' });
    const pid = this.livePid();
    if (!pid) throw new Error('postgres answered but has no live postmaster.pid');
    writePid('postgres', pid);
    await this.ensureDatabases();
    writeFileSync(join(this.dir(), 'initialized'), `${new Date().toISOString()}\n`);
    return fresh ? 'initialised and started' : 'started';
  },
  /** A server already running gets the databases and the services' logins too (both idempotent). */
  async check() {
    try {
      await this.ensureDatabases();
      return null;
    } catch (err) {
      return `could not ensure the databases and service logins: ${err.message}`;
    }
  },
  async ensureDatabases() {
    for (const db of ['tierline', 'keycloak']) {
      const r = await this.psql(`select 1 from pg_database where datname = '${db}'`);
      if (r.code !== 0) throw new Error(`psql failed: ${r.out}`);
      if (r.out.trim() !== '1') {
        const c = await this.psql(`create database ${db} owner tierline`);
        if (c.code !== 0) throw new Error(`create database ${db} failed: ${c.out}`);
      }
    }
    // The services' own logins and the NOLOGIN owners of their tables (docs/decisions/0021).
    const vars = Object.entries(DEV_DB_PASSWORDS).flatMap(([svc, pw]) => ['-v', `${svc}_password=${pw}`]);
    const r = await run(this.bin('psql'), ['-h', '127.0.0.1', '-p', String(PORTS.pg), '-U', 'tierline', '-d', 'tierline', '-q',
      '-v', 'ON_ERROR_STOP=1', ...vars, '-f', join(infraDir, 'postgres', 'service-logins.sql')], { env: { PGPASSWORD: 'tierline', PGCONNECT_TIMEOUT: '3' } });
    if (r.code !== 0) throw new Error(`infra/postgres/service-logins.sql failed: ${r.out}`);
  },
  async stop() {
    if (!this.livePid()) {
      removePid('postgres');
      return false;
    }
    const [cmd, args] = this.as('pg_ctl', ['-D', this.data(), 'stop', '-m', 'fast', '-w', '-t', '60']);
    const r = await run(cmd, args, { timeoutMs: 90_000 });
    if (r.code !== 0 && this.livePid()) throw new Error(`pg_ctl stop failed:\n${r.out}`);
    removePid('postgres');
    return true;
  },
  running() {
    return !!this.livePid();
  },
};

// ---------------------------------------------------------------- nats
const nats = {
  healthUrl: () => `http://127.0.0.1:${PORTS.natsMonitor}/healthz?js-enabled-only=true`,
  probe() { return httpOk(this.healthUrl()); },
  ready() { return httpOk(this.healthUrl()); },
  async start() {
    const dir = serviceDir('nats');
    const pid = startDetached({
      name: 'nats',
      cmd: need(TOOLS.natsServer, 'nats-server'),
      // -c: users and subject permissions (infra/nats/nats.conf; anonymous clients are refused). The flags after
      // it override the file's network and storage settings, so the file stays the same for docker-compose.
      args: ['-c', join(infraDir, 'nats', 'nats.conf'), '--name', 'tierline-nats', '-js', '-sd', join(dir, 'jetstream'),
        '-a', '127.0.0.1', '-p', String(PORTS.nats), '-m', String(PORTS.natsMonitor)],
    });
    await waitFor(() => this.ready(), { timeoutMs: 30_000, name: 'nats', pid });
    return 'started';
  },
  /** A server started before nats.conf existed lets anyone in: say so instead of reusing it silently. */
  async check() {
    try {
      const varz = await (await fetch(`http://127.0.0.1:${PORTS.natsMonitor}/varz`)).json();
      if (!varz.auth_required) {
        return 'runs WITHOUT infra/nats/nats.conf (no users, no permissions); restart it: node infra/stack.mjs down nats && node infra/stack.mjs up nats';
      }
    } catch { /* monitor not reachable: nothing to say */ }
    return null;
  },
};

// ---------------------------------------------------------------- temporal
const temporal = {
  addr: () => `127.0.0.1:${PORTS.temporal}`,
  cli(args) {
    return run(need(TOOLS.temporal, 'temporal CLI'), [...args, '--address', this.addr()], { timeoutMs: 15_000 });
  },
  async namespaceExists() {
    return (await this.cli(['operator', 'namespace', 'describe', '--namespace', NAMESPACE])).code === 0;
  },
  async probe() {
    return (await portOpen(PORTS.temporal)) && this.namespaceExists();
  },
  /** Ready = namespace exists and all custom search attributes are listed; re-adds any that are missing. */
  async ready() {
    if (!(await portOpen(PORTS.temporal)) || !(await this.namespaceExists())) return false;
    const r = await this.cli(['operator', 'search-attribute', 'list', '--namespace', NAMESPACE, '-o', 'json']);
    if (r.code !== 0) return false;
    const missing = Object.keys(SEARCH_ATTRIBUTES).filter((k) => !r.out.includes(`"${k}"`));
    if (!missing.length) return true;
    for (const k of missing) {
      await this.cli(['operator', 'search-attribute', 'create', '--namespace', NAMESPACE, '--name', k, '--type', SEARCH_ATTRIBUTES[k]]);
    }
    return false;
  },
  async start() {
    const dir = serviceDir('temporal');
    const pid = startDetached({
      name: 'temporal',
      cmd: need(TOOLS.temporal, 'temporal CLI'),
      args: ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(PORTS.temporal), '--ui-port', String(PORTS.temporalUi),
        '--db-filename', join(dir, 'temporal.db'), '--namespace', NAMESPACE, '--ui-disable-news-fetch',
        // Write-ahead log with normal sync: state survives a crash of the server process (what
        // "a restart keeps running workflows" needs), without an fsync per transaction.
        '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal',
        ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([k, t]) => ['--search-attribute', `${k}=${t}`])],
    });
    await waitFor(() => this.ready(), { timeoutMs: 90_000, name: 'temporal', pid });
    return 'started';
  },
};

// ---------------------------------------------------------------- keycloak
const keycloak = {
  wellKnown: () => `http://localhost:${PORTS.keycloak}/realms/tierline/.well-known/openid-configuration`,
  probe() { return httpOk(this.wellKnown()); },
  ready() { return httpOk(this.wellKnown()); },
  async start() {
    const home = need(TOOLS.keycloakHome, 'Keycloak');
    need(join(home, 'bin', 'kc.sh'), 'Keycloak kc.sh');
    if (!TOOLS.javaHome) throw new Error('no Java ≥ 21 found for Keycloak; run node infra/install.mjs or set JAVA_HOME');
    const dir = serviceDir('keycloak');
    // The Keycloak home is shared between clones, so the realm is not copied into <home>/data/import:
    // this clone's realm goes to .data/keycloak/import and is handed over via -Dkeycloak.migration.dir,
    // the property that --import-realm itself sets. An existing realm is never overwritten on start.
    // The local stack is the demo: the production realm merged with the demo overlay (people, dev
    // client secrets, reusable one-time codes; infra/lib/realm.mjs). A deployment imports the
    // production realm alone (docker-compose.yml).
    const importDir = join(dir, 'import');
    rmSync(importDir, { recursive: true, force: true });
    mkdirSync(importDir, { recursive: true });
    writeFileSync(join(importDir, 'tierline-realm.json'), `${JSON.stringify(demoRealm(), null, 2)}\n`);
    const pid = startDetached({
      name: 'keycloak',
      cmd: join(home, 'bin', 'kc.sh'),
      args: ['start-dev', '--import-realm',
        '--http-host=127.0.0.1', `--http-port=${PORTS.keycloak}`, `--http-management-port=${PORTS.keycloakManagement}`,
        `--hostname=http://localhost:${PORTS.keycloak}`,
        '--health-enabled=true', // /health/ready on the management port (otherwise that port is not opened at all)
        '--db=postgres', `--db-url=jdbc:postgresql://127.0.0.1:${PORTS.pg}/keycloak`, '--db-username=tierline', '--db-password=tierline'],
      env: {
        JAVA_HOME: TOOLS.javaHome,
        // TieredStopAtLevel=1: C1 JIT only, halves start-up on 2 cores (measured 20 s -> 10 s); fine for dev/test.
        // add-opens java.lang: silences jboss-threads' IllegalAccessError on Java >= 24 at shutdown.
        JAVA_OPTS_APPEND: ['-XX:TieredStopAtLevel=1', '--add-opens=java.base/java.lang=ALL-UNNAMED',
          `-Dkeycloak.migration.dir=${importDir}`, process.env.JAVA_OPTS_APPEND || ''].join(' ').trim(),
        // The realm's SMTP server (placeholders in tierline-realm.json, resolved at import): this stack's Mailpit.
        TIERLINE_SMTP_HOST: '127.0.0.1',
        TIERLINE_SMTP_PORT: String(PORTS.mailpitSmtp),
        KC_BOOTSTRAP_ADMIN_USERNAME: 'admin', // demo-only
        KC_BOOTSTRAP_ADMIN_PASSWORD: 'admin', // demo-only
      },
    });
    await waitFor(() => this.ready(), { timeoutMs: 300_000, intervalMs: 1000, name: 'keycloak', pid });
    return 'started';
  },
};

// ---------------------------------------------------------------- mailpit
const mailpit = {
  infoUrl: () => `http://127.0.0.1:${PORTS.mailpitUi}/api/v1/info`,
  probe() { return httpOk(this.infoUrl()); },
  ready() { return httpOk(this.infoUrl()); },
  async start() {
    const dir = serviceDir('mailpit');
    const pid = startDetached({
      name: 'mailpit',
      cmd: need(TOOLS.mailpit, 'mailpit'),
      args: ['--smtp', `127.0.0.1:${PORTS.mailpitSmtp}`, '--listen', `127.0.0.1:${PORTS.mailpitUi}`,
        '--database', join(dir, 'mailpit.db'), '--smtp-auth-accept-any', '--smtp-auth-allow-insecure',
        '--disable-version-check'],
    });
    await waitFor(() => this.ready(), { timeoutMs: 30_000, name: 'mailpit', pid });
    return 'started';
  },
};

// ---------------------------------------------------------------- objectstore
// versitygw, an S3-compatible gateway, on its posix backend: a bucket is a directory under data/,
// an object a file below it. The attachments bucket is that directory, made before the start.
// One account (the dev credentials of lib/env.mjs OBJECT_STORE); anonymous requests get 403.
const objectstore = {
  url: () => `http://127.0.0.1:${PORTS.objectStore}/`,
  // Any S3 answer (403 to an unsigned request) means it listens and speaks HTTP.
  async probe() {
    try {
      const res = await fetch(this.url(), { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      return res.status === 403 || res.ok;
    } catch {
      return false;
    }
  },
  ready() { return this.probe(); },
  async start() {
    const data = join(serviceDir('objectstore'), 'data');
    mkdirSync(join(data, OBJECT_STORE.bucket), { recursive: true });
    const pid = startDetached({
      name: 'objectstore',
      cmd: need(TOOLS.versitygw, 'versitygw'),
      args: ['--port', `127.0.0.1:${PORTS.objectStore}`, '--region', OBJECT_STORE.region, '--quiet', 'posix', data],
      env: { ROOT_ACCESS_KEY_ID: OBJECT_STORE.accessKeyId, ROOT_SECRET_ACCESS_KEY: OBJECT_STORE.secretAccessKey },
    });
    await waitFor(() => this.ready(), { timeoutMs: 30_000, name: 'objectstore', pid });
    return 'started';
  },
};

const SERVERS = { postgres: pg, nats, temporal, keycloak, mailpit, objectstore };
const MAIN_PORT = {
  postgres: PORTS.pg, nats: PORTS.nats, temporal: PORTS.temporal, keycloak: PORTS.keycloak, mailpit: PORTS.mailpitSmtp,
  objectstore: PORTS.objectStore,
};
const running = (name) => (SERVERS[name].running ? SERVERS[name].running() : isRunning(name));

// ---------------------------------------------------------------- commands
/** Starts one server unless it runs; resolves to true if THIS call started it. */
async function upOne(name, record) {
  const s = SERVERS[name];
  if (running(name)) {
    await waitFor(() => s.ready(), { timeoutMs: 300_000, intervalMs: 1000, name });
    console.log(`${name}: already running (pid ${readPid(name)})`);
    const warning = s.check ? await s.check() : null;
    if (warning) console.warn(`${name}: WARNING: ${warning}`);
    return false;
  }
  removePid(name);
  if (await s.probe()) {
    console.log(`${name}: already running (answers on its port, not started from ${dataDir()})`);
    const warning = s.check ? await s.check() : null;
    if (warning) console.warn(`${name}: WARNING: ${warning}`);
    return false;
  }
  if (await portOpen(MAIN_PORT[name])) {
    throw new Error(`${name}: port ${MAIN_PORT[name]} is in use by something else`);
  }
  const t0 = Date.now();
  try {
    const how = await s.start();
    console.log(`${name}: ${how} in ${secs(t0)}`);
  } catch (err) {
    // Leave nothing half-started behind.
    await (s.stop ? s.stop().catch(() => {}) : stop(name, { timeoutMs: 10_000 }));
    throw err;
  }
  if (record) appendFileSync(record, `${name}\n`);
  return true;
}

async function up(names, record) {
  if (record) {
    mkdirSync(dirname(resolve(record)), { recursive: true });
    appendFileSync(record, ''); // exists even when nothing had to be started
  }
  const t0 = Date.now();
  const tasks = {};
  const step = (name) => {
    if (!tasks[name]) {
      tasks[name] = (async () => {
        if (name === 'keycloak') await step('postgres'); // keycloak keeps its data in our PostgreSQL
        return upOne(name, record);
      })();
    }
    return tasks[name];
  };
  names.forEach(step);
  const failed = [];
  for (const [name, p] of Object.entries(tasks)) {
    const err = await p.then(() => null, (e) => e);
    if (err) failed.push(`${name}: FAILED: ${err.message}`);
  }
  for (const f of failed) console.error(f);
  if (failed.length) process.exit(1);
  console.log(`up: ready in ${secs(t0)}`);
}

async function downOne(name) {
  const s = SERVERS[name];
  const was = s.stop ? await s.stop() : await stop(name, { timeoutMs: 30_000 });
  console.log(`${name}: ${was ? 'stopped' : 'not running'}`);
}

async function down(names) {
  const first = names.filter((n) => n === 'keycloak'); // before its database
  const rest = names.filter((n) => n !== 'keycloak' && n !== 'postgres');
  await Promise.all([...first, ...rest].map(downOne));
  if (names.includes('postgres')) await downOne('postgres');
}

async function status() {
  const urls = {
    postgres: `postgres://tierline:tierline@127.0.0.1:${PORTS.pg}/tierline`,
    nats: `nats://127.0.0.1:${PORTS.nats} (monitor http://127.0.0.1:${PORTS.natsMonitor})`,
    temporal: `127.0.0.1:${PORTS.temporal} (UI http://127.0.0.1:${PORTS.temporalUi})`,
    keycloak: `http://localhost:${PORTS.keycloak} (admin console /admin, admin/admin)`,
    mailpit: `smtp://127.0.0.1:${PORTS.mailpitSmtp} (UI http://127.0.0.1:${PORTS.mailpitUi})`,
    objectstore: `http://127.0.0.1:${PORTS.objectStore} (S3 API, bucket ${OBJECT_STORE.bucket})`,
  };
  const rows = await Promise.all(ALL.map(async (name) => {
    const live = running(name);
    const answers = await SERVERS[name].probe().catch(() => false);
    const state = live ? `running (pid ${readPid(name)})` : answers ? 'running (not from this .data)' : 'stopped';
    return `${name.padEnd(11)} ${state.padEnd(30)} ${answers ? 'ready    ' : 'not ready'} ${urls[name]}`;
  }));
  console.log(`data dir: ${dataDir()}`);
  for (const r of rows) console.log(r);
}

function parse(argv) {
  const [cmd, ...rest] = argv;
  const names = [];
  let record;
  let from;
  for (let i = 0; i < rest.length; i += 1) {
    if (rest[i] === '--record') record = rest[++i];
    else if (rest[i] === '--from') from = rest[++i];
    else if (ALL.includes(rest[i])) names.push(rest[i]);
    else throw new Error(`unknown argument ${rest[i]} (names: ${ALL.join(', ')})`);
  }
  if ((rest.includes('--record') && !record) || (rest.includes('--from') && !from)) throw new Error('--record/--from need a FILE');
  return { cmd, names, record, from };
}

try {
  const { cmd, names, record, from } = parse(process.argv.slice(2));
  if (cmd === 'up') {
    await up(names.length ? names : ALL, record);
  } else if (cmd === 'down') {
    let list = names.length ? names : ALL;
    if (from) {
      const recorded = existsSync(from) ? readFileSync(from, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean) : [];
      list = ALL.filter((n) => recorded.includes(n) && (!names.length || names.includes(n)));
      if (!list.length) console.log(`down: nothing recorded in ${from}`);
    }
    await down(list);
    if (from) rmSync(from, { force: true });
  } else if (cmd === 'status') {
    await status();
  } else {
    console.error('usage: node infra/stack.mjs up [names…] [--record FILE] | down [names…] [--from FILE] | status');
    console.error(`names: ${ALL.join(', ')}`);
    process.exit(2);
  }
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
