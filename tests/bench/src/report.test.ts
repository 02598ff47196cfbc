import { describe, expect, it } from 'vitest';
import { fmt, judge, missed, renderTable, renderText, type Row } from './report.js';

const creation: Row = { name: 'tickets created through the API', value: 60, unit: '/s', baseline: { name: 'Temporal starts', value: 100 }, target: { kind: 'min_ratio', ratio: 0.5 } };
const lateness: Row = { name: 'escalation lateness p99', value: 1500, unit: 'ms', target: { kind: 'max', value: 1000 } };
const baseline: Row = { name: 'PostgreSQL inserts', value: 2500, unit: '/s' };

describe('judge', () => {
  it('a rate at or above its share of the baseline meets a ratio target, with the ratio', () => {
    expect(judge(creation)).toMatchObject({ ratio: 0.6, met: true, missedBy: null });
    expect(judge({ ...creation, value: 50 })).toMatchObject({ ratio: 0.5, met: true });
  });
  it('a rate below its share misses, saying by how much', () => {
    const j = judge({ ...creation, value: 30 });
    expect(j.met).toBe(false);
    expect(j.missedBy).toBe('30 % of the baseline instead of 50 % (20 % short)');
  });
  it('a figure over its limit misses by the difference and the factor', () => {
    const j = judge(lateness);
    expect(j.met).toBe(false);
    expect(j.missedBy).toBe('500 ms over (1.5 × the limit of 1000 ms)');
    expect(judge({ ...lateness, value: 1000 }).met).toBe(true);
  });
  it('a row without a target is neither met nor missed', () => {
    expect(judge(baseline)).toMatchObject({ ratio: null, met: null, missedBy: null });
  });
  it('a ratio target without a baseline is a mistake in the benchmark, not a miss', () => {
    expect(() => judge({ ...creation, baseline: undefined })).toThrow(/needs a baseline/);
  });
});

describe('fmt', () => {
  it('shows long durations in seconds, rates rounded, row counts grouped', () => {
    expect(fmt(31_200, 'ms')).toBe('31.2 s');
    expect(fmt(12.4, 'ms')).toBe('12 ms');
    expect(fmt(1234.4, '/s')).toBe('1234 /s');
    expect(fmt(42.25, '/s')).toBe('42.3 /s');
    expect(fmt(100000, 'rows')).toBe('100,000');
  });
});

describe('renderTable / renderText', () => {
  const rows = [baseline, creation, lateness];
  it('has one line per row under the header, with baseline, ratio, target and result', () => {
    const md = renderTable(rows).split('\n');
    expect(md[0]).toBe('| benchmark | value | baseline | ratio | target | result |');
    expect(md).toHaveLength(2 + rows.length);
    expect(md[3]).toBe('| tickets created through the API | 60.0 /s | Temporal starts: 100 /s | 0.60 | ≥ 50 % of baseline | met |');
    expect(md[4]).toContain('**missed** by 500 ms over');
  });
  it('the text table flags misses', () => {
    const text = renderText(rows);
    expect(text.split('\n')).toHaveLength(4);
    expect(text).toMatch(/escalation lateness p99\s+1500 ms\s+≤ 1000 ms\s+MISSED/);
  });
  it('missed lists only the rows that missed', () => {
    expect(missed(rows).map((r) => r.name)).toEqual(['escalation lateness p99']);
  });
});
