import { describe, expect, it } from 'vitest';
import { computePriority } from './priority.js';

describe('computePriority', () => {
  it('reads the impact × urgency matrix', () => {
    expect(computePriority('whole_site', 'high', false)).toBe('P1');
    expect(computePriority('department', 'medium', false)).toBe('P3');
    expect(computePriority('one_user', 'low', false)).toBe('P4');
  });
  it('raises one step when patient care is affected, never above P1', () => {
    expect(computePriority('one_user', 'low', true)).toBe('P3');
    expect(computePriority('department', 'high', true)).toBe('P1');
    expect(computePriority('whole_site', 'high', true)).toBe('P1');
  });
});
