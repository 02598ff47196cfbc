import { describe, expect, it } from 'vitest';
import type { Delivery, TimelineEntry } from '../../../lib/api/types.js';
import { describeEvent, mergeTimeline } from './timeline.js';

const entry = (type: string, occurredAt: string, data: Record<string, unknown> = {}, actorId = 'u-alex'): TimelineEntry => ({
  eventId: `${type}-${occurredAt}`,
  type,
  occurredAt,
  actor: { kind: actorId === 'system' ? 'system' : 'user', id: actorId },
  data,
});

describe('timeline', () => {
  it('describes events in one line each, naming people as the reader knows them', () => {
    const whoIs = (id: string) => (id === 'u-alex' ? 'you' : 'a colleague');
    expect(describeEvent(entry('ticket.acknowledged', '2026-03-02T10:00:00Z'), whoIs).text).toBe('Acknowledged by you.');
    expect(describeEvent(entry('ticket.acknowledged', '2026-03-02T10:00:00Z', { afterReopen: true }), whoIs).text).toBe('Picked up again by you after the reopening.');
    expect(describeEvent(entry('ticket.closed', '2026-03-02T10:00:00Z', { auto: true }, 'system')).text).toBe('Closed automatically by Tierline: nobody reopened it after the resolution.');
    expect(describeEvent(entry('ticket.closed', '2026-03-02T10:00:00Z'), whoIs).text).toBe('Closed by you.');
    expect(describeEvent(entry('ticket.satisfaction_recorded', '2026-03-02T10:00:00Z', { rating: 4, commented: true })).text).toBe('The requester rated how it was handled 4 of 5, with a comment.');
    expect(describeEvent(entry('ticket.escalated', '2026-03-02T10:00:00Z', { tier: 2, level: 0 }, 'system'))).toEqual({ kind: 'escalation', text: 'Escalated to tier 2 (level 1).' });
    expect(describeEvent(entry('ticket.commented', '2026-03-02T10:00:00Z', { visibility: 'internal' }), whoIs)).toEqual({ kind: 'comment', text: 'Internal note added by you.', internal: true });
    expect(describeEvent(entry('ticket.sla_warning', '2026-03-02T10:00:00Z', { percent: 75, clock: 'vendor_response' }, 'system')).text).toBe('Warning: 75% of the vendor response target used.');
    expect(describeEvent(entry('notification.sent', '2026-03-02T10:00:00Z', { kind: 'page', recipientUsername: 'lee.lead', channels: ['email', 'sms'] }, 'system')).text).toBe('Paged lee.lead by email, sms.');
    expect(describeEvent(entry('notification.sent', '2026-03-02T10:00:00Z', { kind: 'update', recipientUsername: 'nora.nurse', channels: ['email'] }, 'system')).text).toBe('nora.nurse told of the change by email.');
    expect(describeEvent(entry('ticket.something_new', '2026-03-02T10:00:00Z', { status: 'acknowledged' })).text).toBe('something new (Acknowledged).');
  });

  it('merges events and deliveries oldest first', () => {
    const d: Delivery = {
      id: 'd1',
      kind: 'page',
      template: 'escalation',
      channel: 'email',
      recipientId: 'u-lee',
      recipientUsername: 'lee.lead',
      status: 'failed',
      attempts: 3,
      lastError: null,
      scheduledAt: null,
      sentAt: null,
      bundleId: null,
      createdAt: '2026-03-02T10:01:00Z',
      updatedAt: '2026-03-02T10:02:30Z',
    };
    const items = mergeTimeline([entry('ticket.created', '2026-03-02T10:00:00Z'), entry('ticket.escalated', '2026-03-02T10:01:00Z', { tier: 2 }, 'system'), entry('ticket.acknowledged', '2026-03-02T10:03:00Z')], [d]);
    expect(items.map((i) => i.kind)).toEqual(['event', 'escalation', 'notification', 'event']);
    expect(items[2]!.text).toBe('Page to lee.lead by email: failed after 3 attempts.');
  });
});
