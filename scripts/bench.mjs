// `npm run bench`: the benchmarks, on the real servers of this machine (started if needed and
// stopped again), one after another so they do not disturb each other. Each package's own
// `bench` script prints its figures; this collects them, with the machine they came from, in
// bench/results/latest.md.
import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureNodeModules, installTools, log, repo, run } from './lib.mjs';

installTools();
ensureNodeModules();
const { infraEnv } = await import('../infra/lib/env.mjs');
const record = join(repo, '.data', `bench-started-${process.pid}`);
mkdirSync(join(repo, '.data'), { recursive: true });
const env = { ...process.env, ...infraEnv(), LOG_LEVEL: 'silent' };
const sections = [];
let failed = false;
try {
  run(process.execPath, [join(repo, 'infra', 'stack.mjs'), 'up', 'postgres', 'nats', 'temporal', '--record', record]);
  for (const [workspace, title] of [
    ['@tierline/workflows', 'Escalation lateness (deadline → ticket.escalated in JetStream)'],
    ['@tierline/audit', 'Audit log: append rate and verify time'],
  ]) {
    log(title);
    const r = spawnSync('npm', ['run', 'bench', '-w', workspace], { env, cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.stdout.write(r.stdout);
    if (r.status !== 0) failed = true;
    const lines = r.stdout.split('\n').filter((l) => l && !l.startsWith('>'));
    sections.push(`## ${title}\n\n\`\`\`\n${lines.join('\n').trim()}\n\`\`\`\n`);
  }
} finally {
  if (existsSync(record)) run(process.execPath, [join(repo, 'infra', 'stack.mjs'), 'down', '--from', record], { allowFail: true });
  rmSync(record, { force: true });
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
writeFileSync(join(repo, 'bench', 'results', 'latest.md'), `# Benchmark results\n\n${new Date().toISOString()} on ${machine}\n\n${sections.join('\n')}`);
log('written to bench/results/latest.md');
process.exit(failed ? 1 : 0);
