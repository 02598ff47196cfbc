/**
 * `npm run bench -w @tierline/bench` (run by `npm run bench`): the baselines, then Tierline end to
 * end, on the real servers of this machine, one phase after another. Prints the results table as
 * Markdown and writes the figures to bench/results/latest.json.
 */
import '@tierline/testing/quiet-temporal';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jetstreamPublishes, postgresInserts, temporalStarts } from './baselines.js';
import { benchConfig } from './config.js';
import { bulkLoad, createLoad, escalationLateness, queueLatency, waitForOpened, workerMemory, type LatenessResult } from './e2e.js';
import { missed, renderTable, renderText, type Row } from './report.js';
import { startBenchStack } from './stack.js';

const cfg = benchConfig();
const say = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const n = (x: number) => x.toLocaleString('en-US');

say(`${cfg.quick ? 'quick' : 'full'} run: ${JSON.stringify(cfg)}`);
say(`baseline: ${cfg.temporalStarts} empty Temporal workflow starts`);
const temporal = await temporalStarts(cfg.temporalStarts, cfg.concurrency);
say(`baseline: ${cfg.pgInserts} PostgreSQL ticket-row inserts`);
const pg = await postgresInserts(cfg.pgInserts, cfg.concurrency);
say(`baseline: ${cfg.jsPublishes} JetStream publishes`);
const js = await jetstreamPublishes(cfg.jsPublishes, cfg.concurrency);

say('starting the bench stack (ticket service, worker, identity + notifier)');
const stack = await startBenchStack();
// Ctrl-C or a kill still stops the bench's processes, drops its database and deletes its workflows.
const interrupted = (signal: string) => {
  say(`${signal}: stopping the bench stack`);
  void stack.stop().finally(() => process.exit(130));
};
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);
let results: Record<string, unknown>;
let rows: Row[];
try {
  say(`creating ${n(cfg.openTickets)} open tickets through the API, ${cfg.concurrency} in flight`);
  const loadStart = Date.now();
  const creation = await createLoad(stack, cfg.openTickets, cfg.concurrency);
  say(`waiting for the worker to open all ${n(cfg.openTickets)} workflows`);
  await waitForOpened(stack, cfg.openTickets, 60 * 60_000);
  // How fast the worker takes new tickets through their first steps (record, assign), from the
  // first API call to the last ticket.created recorded: the rate it sustains, not the API's.
  const openedPerSecond = (cfg.openTickets * 1000) / (Date.now() - loadStart);
  say('sampling the worker memory');
  const memory = await workerMemory(stack, 15_000);
  say(`escalation lateness: ${cfg.cohortTickets} P1 at ${cfg.cohortPerSecond}/s with ${n(cfg.openTickets)} open`);
  const cohort = await escalationLateness(stack, cfg.cohortTickets, cfg.cohortPerSecond, cfg.concurrency);
  // The worst case runs after the cohort, not overlapped with it: opening a burst of tickets
  // keeps the worker busy for seconds, which would land on the cohort's deadlines.
  let burst: LatenessResult | null = null;
  if (cfg.burstTickets > 0) {
    say(`escalation lateness, worst case: ${cfg.burstTickets} P1 opened at once`);
    burst = await escalationLateness(stack, cfg.burstTickets, null, cfg.concurrency);
  }
  say(`queue API: loading to ${n(cfg.queueRows)} tickets, then ${cfg.queueClients} clients for ${cfg.queueSeconds} s`);
  const total = await bulkLoad(stack, cfg.queueRows);
  const queue = await queueLatency(stack, total, cfg.queueClients, cfg.queueSeconds);
  results = { config: cfg, baselines: { temporal, pg, js }, creation, openedPerSecond, memory, cohort, burst, queue };

  const open = `${n(memory.openWorkflows)} open`;
  const late = (r: LatenessResult, label: string, targets: boolean): Row[] => {
    const out: Row[] = [];
    if (r.eventLatenessMs) {
      out.push({ name: `${label}: deadline → ticket.escalated p50`, value: r.eventLatenessMs.p50, unit: 'ms' });
      out.push({ name: `${label}: deadline → ticket.escalated p99`, value: r.eventLatenessMs.p99, unit: 'ms', ...(targets ? { target: { kind: 'max', value: 1_000 } as const } : {}) });
      out.push({ name: `${label}: deadline → ticket.escalated max`, value: r.eventLatenessMs.max, unit: 'ms', ...(targets ? { target: { kind: 'max', value: 2_000 } as const } : {}) });
    }
    if (r.emailLatenessMs) {
      out.push({ name: `${label}: deadline → email accepted p50`, value: r.emailLatenessMs.p50, unit: 'ms' });
      out.push({ name: `${label}: deadline → email accepted p99`, value: r.emailLatenessMs.p99, unit: 'ms', ...(targets ? { target: { kind: 'max', value: 5_000 } as const } : {}) });
      out.push({ name: `${label}: deadline → email accepted max`, value: r.emailLatenessMs.max, unit: 'ms' });
    }
    return out;
  };
  rows = [
    { name: `Temporal: empty workflow starts (${cfg.concurrency} in flight)`, value: temporal.perSecond, unit: '/s' },
    { name: 'PostgreSQL: ticket-row inserts', value: pg.perSecond, unit: '/s' },
    { name: 'JetStream: acknowledged publishes', value: js.perSecond, unit: '/s' },
    { name: `tickets created through the API (${cfg.concurrency} in flight)`, value: creation.perSecond, unit: '/s', baseline: { name: 'Temporal starts', value: temporal.perSecond }, target: { kind: 'min_ratio', ratio: 0.5 } },
    { name: `tickets opened by the worker (created → ticket.created recorded), ${n(cfg.openTickets)} tickets`, value: openedPerSecond, unit: '/s', baseline: { name: 'Temporal starts', value: temporal.perSecond } },
    { name: 'ticket creation latency p50', value: creation.latencyMs.p50, unit: 'ms', baseline: { name: 'Temporal start p50', value: temporal.latencyMs.p50 } },
    { name: 'ticket creation latency p99', value: creation.latencyMs.p99, unit: 'ms', baseline: { name: 'Temporal start p99', value: temporal.latencyMs.p99 } },
    ...late(cohort, `${cohort.tickets} P1 due at ${cohort.arrival}, ${open}`, true),
    ...(burst ? late(burst, `${burst.tickets} P1 due at once, ${open}`, false) : []),
    { name: `queue API p50 (${queue.clients} clients, ${n(queue.rows)} tickets)`, value: queue.latencyMs.p50, unit: 'ms' },
    { name: `queue API p99 (${queue.clients} clients, ${n(queue.rows)} tickets)`, value: queue.latencyMs.p99, unit: 'ms', target: { kind: 'max', value: 100 } },
    { name: `worker resident memory, ${open} tickets`, value: memory.rssMiB, unit: 'MiB' },
    { name: `worker heap used, ${open} tickets`, value: memory.heapUsedMiB, unit: 'MiB' },
  ];
} finally {
  say('stopping the bench stack');
  await stack.stop();
}

const r = results as {
  creation: Awaited<ReturnType<typeof createLoad>>;
  cohort: LatenessResult;
  burst: LatenessResult | null;
  queue: Awaited<ReturnType<typeof queueLatency>>;
};
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const counts = [r.cohort, ...(r.burst ? [r.burst] : [])]
  .map((l) => `- ${l.tickets} P1 (${l.arrival}, opened over ${l.windowSeconds.toFixed(1)} s): ${l.escalated} escalation events and ${l.emailed} emails received`)
  .join('\n');
const markdown = [
  `${new Date().toISOString()}, ${cfg.quick ? '**quick run** (BENCH_QUICK=1: smaller sizes than the targets name)' : 'full run'}, on ${machine}.`,
  '',
  renderTable(rows),
  '',
  counts,
  `- ticket creation: ${n(r.creation.count)} tickets, p50 ${Math.round(r.creation.latencyMs.p50)} ms, p99 ${Math.round(r.creation.latencyMs.p99)} ms`,
  `- queue API: ${n(r.queue.requests)} requests (${r.queue.perSecond.toFixed(0)}/s); p99 by query: ${r.queue.byQuery.map((q) => `\`${q.query}\` ${Math.round(q.p99)} ms`).join(', ')}`,
].join('\n');
process.stderr.write(`\n${renderText(rows)}\n\n`);
process.stdout.write(`${markdown}\n`);
const out = fileURLToPath(new URL('../../../bench/results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(`${out}latest.json`, `${JSON.stringify({ at: new Date().toISOString(), machine, rows, missed: missed(rows), ...results }, null, 2)}\n`);
say('figures written to bench/results/latest.json');
const incomplete = r.cohort.escalated < r.cohort.tickets || r.cohort.emailed < r.cohort.tickets;
// A missed target is a finding, reported in the table; a lost escalation is a failure of the run.
process.exit(incomplete ? 1 : 0);
