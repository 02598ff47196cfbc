import { describe, expect, it } from 'vitest';
import { quietUntil } from './quiet-hours.js';
import { stableUuid } from './pipeline.js';

describe('quiet hours', () => {
  const night = { start: '22:00', end: '07:00', timeZone: 'America/New_York' };
  it('hold a page inside a window that wraps midnight until it ends, in the recipient\'s zone', () => {
    // 23:30 in New York (EST, UTC-5) is 04:30 UTC; the window ends 07:00 local = 12:00 UTC.
    expect(quietUntil(night, new Date('2026-01-15T04:30:00Z'))?.toISOString()).toBe('2026-01-15T12:00:00.000Z');
    expect(quietUntil(night, new Date('2026-01-15T08:00:00Z'))?.toISOString()).toBe('2026-01-15T12:00:00.000Z');
  });
  it('let a page through outside the window', () => {
    expect(quietUntil(night, new Date('2026-01-15T15:00:00Z'))).toBeNull();
    expect(quietUntil({ start: '12:00', end: '13:00', timeZone: 'UTC' }, new Date('2026-01-15T13:00:00Z'))).toBeNull();
  });
  it('treat an empty window as no quiet hours', () => {
    expect(quietUntil({ start: '09:00', end: '09:00', timeZone: 'UTC' }, new Date('2026-01-15T09:00:00Z'))).toBeNull();
  });
});

describe('stable event ids', () => {
  it('are valid, repeatable uuids', () => {
    const a = stableUuid('d1:notification.sent');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableUuid('d1:notification.sent')).toBe(a);
    expect(stableUuid('d2:notification.sent')).not.toBe(a);
  });
});
