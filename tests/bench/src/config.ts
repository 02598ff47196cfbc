/**
 * How big each benchmark is. The defaults are the figures of issue #7 (10,000 open tickets,
 * 100,000 queue rows, 20 queue clients); BENCH_QUICK=1 shrinks them so a run takes about two
 * minutes, for working on the benchmark itself. Each can be set on its own by environment.
 */
export interface BenchConfig {
  quick: boolean;
  /** Calls in flight for the baselines and for ticket creation through the API: the same for both, so the ratio is fair. */
  concurrency: number;
  temporalStarts: number;
  pgInserts: number;
  jsPublishes: number;
  /** Open tickets created through the API before the escalation and memory measurements: the load. */
  openTickets: number;
  /** The measured lateness cohort: P1 tickets opened at `cohortPerSecond`, each due 60 s after opening. */
  cohortTickets: number;
  cohortPerSecond: number;
  /** The worst case: this many P1 tickets opened at once, so their deadlines fall together (0 skips it). */
  burstTickets: number;
  queueRows: number;
  queueClients: number;
  queueSeconds: number;
}

const QUICK: BenchConfig = {
  quick: true,
  concurrency: 16,
  temporalStarts: 300,
  pgInserts: 2_000,
  jsPublishes: 2_000,
  openTickets: 300,
  cohortTickets: 20,
  cohortPerSecond: 2,
  burstTickets: 20,
  queueRows: 20_000,
  queueClients: 20,
  queueSeconds: 5,
};

const FULL: BenchConfig = {
  quick: false,
  concurrency: 16,
  temporalStarts: 2_000,
  pgInserts: 20_000,
  jsPublishes: 20_000,
  openTickets: 10_000,
  cohortTickets: 200,
  cohortPerSecond: 2,
  burstTickets: 200,
  queueRows: 100_000,
  queueClients: 20,
  queueSeconds: 20,
};

const KEYS: Record<Exclude<keyof BenchConfig, 'quick'>, string> = {
  concurrency: 'BENCH_CONCURRENCY',
  temporalStarts: 'BENCH_TEMPORAL_STARTS',
  pgInserts: 'BENCH_PG_INSERTS',
  jsPublishes: 'BENCH_JS_PUBLISHES',
  openTickets: 'BENCH_OPEN_TICKETS',
  cohortTickets: 'BENCH_COHORT_TICKETS',
  cohortPerSecond: 'BENCH_COHORT_PER_SECOND',
  burstTickets: 'BENCH_BURST_TICKETS',
  queueRows: 'BENCH_QUEUE_ROWS',
  queueClients: 'BENCH_QUEUE_CLIENTS',
  queueSeconds: 'BENCH_QUEUE_SECONDS',
};

export function benchConfig(env: Record<string, string | undefined> = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const c: BenchConfig = { ...(quick ? QUICK : FULL) };
  for (const [key, name] of Object.entries(KEYS) as [keyof typeof KEYS, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    // A rate may be fractional (one P1 every two seconds); counts are whole; only the burst may be 0.
    const ok =
      key === 'cohortPerSecond' ? Number.isFinite(n) && n > 0 : Number.isInteger(n) && n >= (key === 'burstTickets' ? 0 : 1);
    if (!ok) {
      throw new Error(`${name} must be ${key === 'cohortPerSecond' ? 'a positive number' : key === 'burstTickets' ? 'a whole number ≥ 0' : 'a whole number ≥ 1'}, got "${raw}"`);
    }
    c[key] = n;
  }
  if (c.queueRows < c.openTickets) throw new Error(`BENCH_QUEUE_ROWS (${c.queueRows}) must be at least BENCH_OPEN_TICKETS (${c.openTickets}): the queue is measured over all tickets`);
  return c;
}
