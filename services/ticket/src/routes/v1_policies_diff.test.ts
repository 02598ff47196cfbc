import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '@tierline/domain';
import { diffJson } from './v1_policies_diff.js';

describe('diffJson', () => {
  it('finds nothing between equal values, including deep copies', () => {
    expect(diffJson(1, 1)).toEqual([]);
    expect(diffJson(null, null)).toEqual([]);
    expect(diffJson({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toEqual([]);
    expect(diffJson(DEFAULT_POLICY, structuredClone(DEFAULT_POLICY))).toEqual([]);
  });

  it('reports a changed leaf at its dotted path with both values', () => {
    expect(diffJson({ a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } })).toEqual([{ path: 'a.c', kind: 'changed', from: 2, to: 3 }]);
  });

  it('names array elements by index, as validatePolicy does', () => {
    expect(diffJson({ rules: [{ levels: [{ m: 5 }, { m: 10 }] }] }, { rules: [{ levels: [{ m: 5 }, { m: 20 }] }] })).toEqual([
      { path: 'rules.0.levels.1.m', kind: 'changed', from: 10, to: 20 },
    ]);
  });

  it('reports added and removed keys once, with the whole subtree', () => {
    const changes = diffJson({ calendars: { a: { tz: 'X' } } }, { calendars: { b: { tz: 'Y', hours: [1] } } });
    expect(changes).toEqual([
      { path: 'calendars.a', kind: 'removed', from: { tz: 'X' } },
      { path: 'calendars.b', kind: 'added', to: { tz: 'Y', hours: [1] } },
    ]);
  });

  it('reports appended and dropped array elements', () => {
    expect(diffJson([1, 2], [1, 2, 3])).toEqual([{ path: '2', kind: 'added', to: 3 }]);
    expect(diffJson({ w: [75, 90] }, { w: [75] })).toEqual([{ path: 'w.1', kind: 'removed', from: 90 }]);
  });

  it('treats a change of type as one change at that path; the root path is empty', () => {
    expect(diffJson({ a: [1] }, { a: { 0: 1 } })).toEqual([{ path: 'a', kind: 'changed', from: [1], to: { 0: 1 } }]);
    expect(diffJson({ a: null }, { a: {} })).toEqual([{ path: 'a', kind: 'changed', from: null, to: {} }]);
    expect(diffJson(1, '1')).toEqual([{ path: '', kind: 'changed', from: 1, to: '1' }]);
  });

  it('treats undefined as absent, like JSON does', () => {
    expect(diffJson({ a: 1, b: undefined }, { a: 1 })).toEqual([]);
    expect(diffJson({ a: 1 }, { a: 1, b: undefined })).toEqual([]);
  });

  it('lists changes in sorted key order, so the output is deterministic', () => {
    const paths = diffJson({ z: 1, a: 1, m: 1 }, { m: 2, z: 2, a: 2 }).map((c) => c.path);
    expect(paths).toEqual(['a', 'm', 'z']);
  });

  it('describes a realistic policy edit as a short list', () => {
    const next = structuredClone(DEFAULT_POLICY);
    next.rules[0]!.responseTargetMinutes = 10;
    next.rules[0]!.warnings = [50, 75, 90];
    delete next.description;
    const changes = diffJson(DEFAULT_POLICY, next);
    expect(changes).toEqual([
      { path: 'description', kind: 'removed', from: DEFAULT_POLICY.description },
      { path: 'rules.0.responseTargetMinutes', kind: 'changed', from: 15, to: 10 },
      { path: 'rules.0.warnings.0', kind: 'changed', from: 75, to: 50 },
      { path: 'rules.0.warnings.1', kind: 'changed', from: 90, to: 75 },
      { path: 'rules.0.warnings.2', kind: 'added', to: 90 },
    ]);
  });
});
