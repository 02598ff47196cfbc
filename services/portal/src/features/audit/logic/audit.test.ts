import { describe, expect, it } from 'vitest';
import { auditQuery, NO_FILTERS } from './audit.js';

describe('audit log query', () => {
  it('leaves out empty filters and trims the others', () => {
    expect(auditQuery(NO_FILTERS)).toEqual({});
    expect(auditQuery({ ...NO_FILTERS, type: ' policy.* ', actorId: 'system:worker' })).toEqual({ actorId: 'system:worker', type: 'policy.*' });
  });

  it('turns local date-times into instants, and passes a bad one on for the API to name', () => {
    const q = auditQuery({ ...NO_FILTERS, from: '2026-03-02T10:00', to: 'yesterday' });
    expect(q.from).toBe(new Date('2026-03-02T10:00').toISOString());
    expect(q.to).toBe('yesterday');
  });
});
