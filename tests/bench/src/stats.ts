/**
 * Summaries of measured samples. Nearest-rank percentiles (the smallest sample with at least p % of
 * the samples at or below it), so every figure reported is a value that was actually measured.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summary of no samples');
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: Math.max(...samples),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
  };
}

/** Operations per second: `count` operations done in `ms` milliseconds. */
export function ratePerSecond(count: number, ms: number): number {
  if (ms <= 0) throw new Error(`elapsed time must be positive, got ${ms} ms`);
  return (count * 1000) / ms;
}

/**
 * Runs `op` `total` times with at most `concurrency` calls in flight, timing each call. Returns
 * the latencies in ms and the wall time of the whole run; a failed call fails the run, because a
 * benchmark that drops errors reports the speed of failing.
 */
export async function runConcurrently(total: number, concurrency: number, op: (i: number) => Promise<void>): Promise<{ latenciesMs: number[]; elapsedMs: number }> {
  const latenciesMs: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        await op(i);
        latenciesMs.push(performance.now() - s);
      }
    }),
  );
  return { latenciesMs, elapsedMs: performance.now() - t0 };
}
