import { describe, expect, it } from 'vitest';
import { benchConfig } from './config.js';

describe('benchConfig', () => {
  it('defaults to the sizes of issue #7', () => {
    expect(benchConfig({})).toMatchObject({ quick: false, openTickets: 10_000, queueRows: 100_000, queueClients: 20 });
  });
  it('BENCH_QUICK=1 shrinks the run', () => {
    const c = benchConfig({ BENCH_QUICK: '1' });
    expect(c.quick).toBe(true);
    expect(c.openTickets).toBeLessThan(1_000);
  });
  it('each size can be set on its own', () => {
    expect(benchConfig({ BENCH_QUICK: '1', BENCH_OPEN_TICKETS: '500', BENCH_COHORT_PER_SECOND: '0.5', BENCH_BURST_TICKETS: '0' })).toMatchObject({ openTickets: 500, cohortPerSecond: 0.5, burstTickets: 0 });
  });
  it('refuses a bad value, naming the variable', () => {
    expect(() => benchConfig({ BENCH_QUEUE_CLIENTS: 'many' })).toThrow('BENCH_QUEUE_CLIENTS must be a whole number ≥ 1, got "many"');
    expect(() => benchConfig({ BENCH_OPEN_TICKETS: '1.5' })).toThrow(/BENCH_OPEN_TICKETS/);
    expect(() => benchConfig({ BENCH_BURST_TICKETS: '-1' })).toThrow(/BENCH_BURST_TICKETS must be a whole number ≥ 0/);
    expect(() => benchConfig({ BENCH_COHORT_PER_SECOND: '0' })).toThrow('BENCH_COHORT_PER_SECOND must be a positive number, got "0"');
  });
  it('refuses fewer queue rows than open tickets', () => {
    expect(() => benchConfig({ BENCH_QUEUE_ROWS: '10' })).toThrow(/BENCH_QUEUE_ROWS \(10\) must be at least BENCH_OPEN_TICKETS/);
  });
});
