import { describe, expect, it } from 'vitest';
import { percentile, ratePerSecond, runConcurrently, summarize } from './stats.js';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it('picks measured values: p50 of 1..100 is 50, p99 is 99, p100 is the max', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });
  it('does not depend on the order of the samples', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
  });
  it('with few samples, p99 is the largest', () => {
    expect(percentile([10, 20, 30], 99)).toBe(30);
    expect(percentile([7], 50)).toBe(7);
  });
  it('refuses no samples and percentiles outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(/no samples/);
    expect(() => percentile([1], 0)).toThrow(/\(0, 100\]/);
    expect(() => percentile([1], 101)).toThrow(/\(0, 100\]/);
  });
});

describe('summarize', () => {
  it('counts, p50, p99, max and mean', () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ count: 4, p50: 2, p99: 4, max: 4, mean: 2.5 });
  });
  it('refuses no samples', () => {
    expect(() => summarize([])).toThrow(/no samples/);
  });
});

describe('ratePerSecond', () => {
  it('is operations per elapsed second', () => {
    expect(ratePerSecond(500, 2000)).toBe(250);
  });
  it('refuses a zero or negative elapsed time', () => {
    expect(() => ratePerSecond(1, 0)).toThrow(/positive/);
  });
});

describe('runConcurrently', () => {
  it('runs every operation once, never more than `concurrency` at a time, and times each', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const r = await runConcurrently(20, 3, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((res) => setTimeout(res, 1));
      seen.push(i);
      inFlight--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(r.latenciesMs).toHaveLength(20);
    expect(r.elapsedMs).toBeGreaterThan(0);
  });
  it('fails when an operation fails', async () => {
    await expect(runConcurrently(3, 2, async (i) => {
      if (i === 1) throw new Error('boom');
    })).rejects.toThrow('boom');
  });
});
