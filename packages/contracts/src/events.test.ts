import { describe, expect, it } from 'vitest';
import { EventEnvelopeSchema, eventDataProblem, subjectForEvent, TicketEventDataSchemas, VendorLinkEventDataSchemas } from './events.js';
import { CreateTicketRequestSchema } from './tickets.js';

describe('event envelope', () => {
  const valid = {
    id: '7f1c2a4e-1b2c-4d3e-8f90-0a1b2c3d4e5f',
    type: 'ticket.created',
    occurredAt: '2026-11-27T10:00:00.000Z',
    actor: { kind: 'user', id: 'u1', role: 'clinic_staff' },
    ticketId: '7f1c2a4e-1b2c-4d3e-8f90-0a1b2c3d4e5f',
    data: { number: 'IT-1001' },
    schemaVersion: 1,
  };

  it('accepts a well-formed event and a system actor', () => {
    expect(EventEnvelopeSchema.parse(valid)).toEqual(valid);
    expect(EventEnvelopeSchema.safeParse({ ...valid, actor: { kind: 'system', id: 'ticket-workflow' } }).success).toBe(true);
  });

  it('names what is wrong', () => {
    const r = EventEnvelopeSchema.safeParse({ ...valid, id: 'nope', type: 'Created', actor: { kind: 'user', id: 'u1', role: 'janitor' } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['actor.role', 'id', 'type']);
  });

  it('maps a type to its subject under tierline.events', () => {
    expect(subjectForEvent('ticket.escalated')).toBe('tierline.events.ticket.escalated');
    expect(() => subjectForEvent('bad')).toThrow(/aggregate/);
  });
});

describe('CreateTicketRequestSchema', () => {
  it('trims, defaults and refuses unknown fields', () => {
    const ok = CreateTicketRequestSchema.parse({ title: '  Printer jam ', category: 'printer_scanner', siteId: 'north', impact: 'one_user', urgency: 'low' });
    expect(ok).toMatchObject({ title: 'Printer jam', description: '', patientCareAffected: false });
    const r = CreateTicketRequestSchema.safeParse({ ...ok, priority: 'P1' });
    expect(r.success).toBe(false);
  });
});

describe('vendor link event data', () => {
  const link = { linkId: '7f1c2a4e-1b2c-4d3e-8f90-0a1b2c3d4e5f', ticketId: '7f1c2a4e-1b2c-4d3e-8f90-0a1b2c3d4e5f', ticketNumber: 'IT-1001', level: null, vendorOrgId: 'acme-it', recipientId: 'u1' };

  it('refusals are counted: a tampered link names nothing it claimed; a use names who, where from and with what', () => {
    const counted = { reason: 'tampered', action: 'open', linkId: null, ticketId: null, count: 200, windowStart: '2026-01-01T08:00:00.000Z', windowEnd: '2026-01-01T08:01:00.000Z' };
    expect(VendorLinkEventDataSchemas['vendor_link.refusals_counted'].parse(counted)).toEqual(counted);
    expect(VendorLinkEventDataSchemas['vendor_link.refusals_counted'].safeParse({ ...counted, count: 0 }).error?.issues.map((i) => i.path.join('.'))).toEqual(['count']);
    expect(VendorLinkEventDataSchemas['vendor_link.used'].safeParse({ ...link, ip: '203.0.113.9' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['userAgent']);
    expect(subjectForEvent('vendor_link.used')).toBe('tierline.events.vendor_link.used');
  });

  it('refuses an unknown refusal reason', () => {
    const r = VendorLinkEventDataSchemas['vendor_link.refusals_counted'].safeParse({ reason: 'bored', action: 'open', linkId: null, ticketId: null, count: 1, windowStart: '2026-01-01T08:00:00Z', windowEnd: '2026-01-01T08:01:00Z' });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['reason']);
  });
});

describe('ticket event data carry no free text (docs/decisions/0022)', () => {
  const reasonId = '7f1c2a4e-1b2c-4d3e-8f90-0a1b2c3d4e5f';

  it('accepts the ids of the stored texts', () => {
    expect(eventDataProblem({ type: 'ticket.priority_changed', data: { number: 'IT-1001', from: 'P3', to: 'P1', reasonId } })).toBeNull();
    expect(eventDataProblem({ type: 'ticket.reopened', data: { number: 'IT-1001', reasonId, reopenPolicy: 'restart_resolution_clock' } })).toBeNull();
  });

  it('refuses a reason, a note or a body in any ticket event, naming the key', () => {
    expect(eventDataProblem({ type: 'ticket.priority_changed', data: { number: 'IT-1001', from: 'P3', to: 'P1', reason: 'Blocks check-in' } })).toMatch(/ticket\.priority_changed: .*"reason"/);
    expect(eventDataProblem({ type: 'ticket.reopened', data: { number: 'IT-1001', reopenPolicy: 'x', reason: 'again' } })).toMatch(/"reason"/);
    expect(eventDataProblem({ type: 'ticket.commented', data: { number: 'IT-1001', commentId: reasonId, visibility: 'public', resumed: false, body: 'hi' } })).toMatch(/"body"/);
    expect(eventDataProblem({ type: 'ticket.created', data: { number: 'IT-1001', title: 'x' } })).not.toBeNull();
  });

  it('in `keys` mode (every publisher) tolerates missing facts but still refuses free text', () => {
    expect(eventDataProblem({ type: 'ticket.acknowledged', data: {} }, 'keys')).toBeNull();
    expect(eventDataProblem({ type: 'ticket.acknowledged', data: {} })).toMatch(/number/);
    expect(eventDataProblem({ type: 'ticket.reopened', data: { reason: 'It broke again' } }, 'keys')).toMatch(/"reason"/);
  });

  it('holds a reference, not text, where an id belongs', () => {
    expect(eventDataProblem({ type: 'ticket.resolved', data: { number: 'IT-1001', tier: 1, resolutionId: 'Replaced the cable' } })).toMatch(/resolutionId/);
  });

  it('has a strict schema for every ticket event type, and leaves other aggregates to their own schemas', () => {
    for (const [type, schema] of Object.entries(TicketEventDataSchemas)) {
      expect(schema.safeParse({ number: 'IT-1', sneaky: 'text' }).success, type).toBe(false);
    }
    expect(eventDataProblem({ type: 'vendor_link.revoked', data: { anything: 1 } })).toBeNull();
  });
});
