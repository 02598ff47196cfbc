// `npm run bench`: the benchmarks, on the real servers of this machine (started if needed and
// stopped again), one after another so they do not disturb each other:
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
import { ensureNodeModules, installTools, log, repo, run } from './lib.mjs';

installTools();
ensureNodeModules();
const { infraEnv } = await import('../infra/lib/env.mjs');
const record = join(repo, '.data', `bench-started-${process.pid}`);
mkdirSync(join(repo, '.data'), { recursive: true });
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
