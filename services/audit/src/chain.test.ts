import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH } from './chain.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});

describe('chainHash', () => {
  it('changes when the previous hash, the position or the content changes', () => {
    const h = chainHash(GENESIS_HASH, 1, '{"a":1}');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, 2, '{"a":1}')).not.toBe(h);
    expect(chainHash(h, 1, '{"a":1}')).not.toBe(h);
    expect(chainHash(GENESIS_HASH, 1, '{"a":2}')).not.toBe(h);
  });
});
