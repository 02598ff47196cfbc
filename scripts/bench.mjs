// `npm run bench`: the benchmarks, on real servers of their own (started, then stopped again),
// one after another so they do not disturb each other:
//   1. @tierline/bench — the baselines (raw Temporal workflow starts, PostgreSQL inserts, JetStream
//      publishes), then Tierline end to end (ticket creation through the API, escalation lateness
//      to JetStream and to the SMTP server, the queue API, the worker's memory), as one table with
//      ratios and the targets of issue #7;
//   2. @tierline/audit — append rate and verify time of the audit chain.
// The figures go to bench/results/latest.md (and latest.json). BENCH_QUICK=1 runs small sizes in
// a few minutes; each size can be set on its own (tests/bench/src/config.ts).
import { cpus, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureNodeModules, installTools, log, repo, run, usePinnedNode } from './lib.mjs';

await usePinnedNode();

installTools();
ensureNodeModules();

// The benchmarks run on servers of their own: their own data dir (.data/bench, wiped first) and
// the usual ports + 5000 (chaos uses + 10000). So a developer's running system neither disturbs
// the figures nor loses anything to them: the bench's ticket service reads the same durable
// consumer names as any other, which on a shared NATS server would take the other's messages.
// Everything below reads its ports and data dir from the environment (infra/lib/env.mjs,
// @tierline/testing); variables a shell may carry for the shared stack are overridden.
const OFFSET = Number(process.env.BENCH_PORT_OFFSET ?? 5000);
const benchDataDir = process.env.BENCH_DATA_DIR ?? join(repo, '.data', 'bench');
const PORTS = {
  PG_PORT: 55432, NATS_PORT: 4222, NATS_MONITOR_PORT: 8222, TEMPORAL_PORT: 7233, TEMPORAL_UI_PORT: 8233,
  KEYCLOAK_PORT: 8180, KEYCLOAK_MANAGEMENT_PORT: 9180, MAILPIT_SMTP_PORT: 1025, MAILPIT_UI_PORT: 8025,
};
Object.assign(process.env, {
  TIERLINE_DATA_DIR: benchDataDir,
  ...Object.fromEntries(Object.entries(PORTS).map(([k, v]) => [k, String(v + OFFSET)])),
});
for (const k of ['DATABASE_URL', 'NATS_URL', 'TEMPORAL_ADDRESS', 'KEYCLOAK_URL', 'KEYCLOAK_ISSUER', 'SMTP_URL', 'MAILPIT_URL', 'NATS_USER', 'NATS_PASSWORD']) {
  delete process.env[k];
}
rmSync(benchDataDir, { recursive: true, force: true });
mkdirSync(benchDataDir, { recursive: true });

const { infraEnv } = await import('../infra/lib/env.mjs');
const record = join(benchDataDir, `bench-started-${process.pid}`);
const quick = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const env = { ...process.env, ...infraEnv(), LOG_LEVEL: 'silent' };
const sections = [];
let failed = false;
try {
  // The end-to-end benchmark runs the built ticket service and worker (dist/), as deployed.
  log('build (turbo, cached when nothing changed)');
  run('npx', ['turbo', 'run', 'build', '--filter=@tierline/ticket...', '--filter=@tierline/workflows...']);
  run(process.execPath, [join(repo, 'infra', 'stack.mjs'), 'up', 'postgres', 'nats', 'temporal', 'keycloak', 'mailpit', '--record', record]);
  for (const [workspace, title, args, markdown] of [
    ['@tierline/bench', 'Baselines and Tierline end to end', [], true],
    ['@tierline/audit', 'Audit log: append rate and verify time', quick ? ['--', '--rows', '20000', '--append', '500'] : [], false],
  ]) {
    log(title);
    const r = spawnSync('npm', ['run', 'bench', '-w', workspace, ...args], { env, cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20 });
    process.stdout.write(r.stdout);
    if (r.status !== 0) failed = true;
    const lines = r.stdout.split('\n').filter((l) => l && !l.startsWith('>'));
    sections.push(markdown ? `## ${title}\n\n${lines.join('\n').trim()}\n` : `## ${title}\n\n\`\`\`\n${lines.join('\n').trim()}\n\`\`\`\n`);
  }
} finally {
  if (existsSync(record)) run(process.execPath, [join(repo, 'infra', 'stack.mjs'), 'down', '--from', record], { allowFail: true });
  rmSync(record, { force: true });
}
const versions = JSON.parse(readFileSync(join(repo, 'infra', 'versions.json'), 'utf8'));
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}; Temporal dev server ${versions.temporal.version} (SQLite), NATS ${versions.natsServer.version}`;
mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(repo, 'bench', 'results', 'latest.md'),
  `# Benchmark results\n\n${new Date().toISOString()} on ${machine}${quick ? ' — quick run (BENCH_QUICK=1)' : ''}\n\n${sections.join('\n')}`,
);
log('written to bench/results/latest.md');
process.exit(failed ? 1 : 0);
