import { describe, expect, it } from 'vitest';
import type { EscalationPolicy } from '@tierline/contracts';
import { TEST_FAST_POLICY } from '../policy/defaults.js';
import { compareWhatIf, emptyOutcome, readTimeline, replayTicket, type RecordedAction, type RecordedTicket } from './what-if.js';

const T = Date.parse('2026-12-03T15:00:00Z');
const MIN = 60_000;

function ticket(priority: RecordedTicket['priority'], actions: RecordedAction[], over: Partial<RecordedTicket> = {}): RecordedTicket {
  return { id: 't1', number: 'IT-1', siteId: 'north', category: 'network', priority, openedAt: T, policyVersion: 1, actions, recorded: emptyOutcome(), ...over };
}

describe('replayTicket on the fast test policy', () => {
  it('a P1 nobody touches: three pages to the lead, the vendor paged and handed the ticket, every clock breached in turn', () => {
    const o = replayTicket(TEST_FAST_POLICY, ticket('P1', []), T + 10 * MIN)!;
    expect(o).toEqual({
      tickets: 1,
      pages: 4,
      vendorPages: 1,
      vendorHandOffs: 1,
      // The vendor's response clock starts at the hand-off (2 min) and its 2-minute target passes at 4.
      breaches: { response: 1, resolution: 1, vendor_response: 1, vendor_resolution: 0 },
    });
  });

  it('stops where the replay stops: at 2.5 minutes only the first page and its repeat and the vendor level have fired', () => {
    const o = replayTicket(TEST_FAST_POLICY, ticket('P1', []), T + 2.5 * MIN)!;
    expect(o).toMatchObject({ pages: 3, vendorPages: 1, vendorHandOffs: 1, breaches: { response: 1, resolution: 0, vendor_response: 0 } });
  });

  it('a P1 acknowledged at 30 s and resolved at 90 s pages nobody and breaches nothing', () => {
    const o = replayTicket(TEST_FAST_POLICY, ticket('P1', [{ kind: 'acknowledged', at: T + 30_000 }, { kind: 'resolved', at: T + 90_000 }]), T + 60 * MIN)!;
    expect(o).toEqual({ ...emptyOutcome(), tickets: 1 });
  });

  it('waiting on the requester pauses the clocks: a P3 paused from 1 to 61 minutes climbs at 63, not at 3', () => {
    const actions: RecordedAction[] = [
      { kind: 'waiting_on_requester', at: T + MIN },
      { kind: 'resumed', at: T + 61 * MIN },
    ];
    expect(replayTicket(TEST_FAST_POLICY, ticket('P3', actions), T + 62.9 * MIN)).toMatchObject({ pages: 0, breaches: { response: 0 } });
    expect(replayTicket(TEST_FAST_POLICY, ticket('P3', actions), T + 63 * MIN)).toMatchObject({ pages: 1, breaches: { response: 1 } });
  });

  it('a priority change re-bases the clocks on the new rule without losing counted time', () => {
    // P3 for 1.5 minutes, then P1: its 1-minute response target has already passed.
    const o = replayTicket(TEST_FAST_POLICY, ticket('P3', [{ kind: 'priority_changed', at: T + 1.5 * MIN, priority: 'P1' }, { kind: 'acknowledged', at: T + 1.6 * MIN }]), T + 1.7 * MIN)!;
    // The tier-2 level passed on the response clock but the ticket is still at tier 1: it fires at once.
    expect(o).toMatchObject({ pages: 1, breaches: { response: 0 } });
  });

  it('a person handing the ticket to the vendor is not a hand-off by the policy, and the vendor acknowledging stops its response clock', () => {
    const o = replayTicket(
      TEST_FAST_POLICY,
      ticket('P1', [
        { kind: 'acknowledged', at: T + 10_000 },
        { kind: 'handed_to_vendor', at: T + 20_000, vendorOrgId: 'acme-it' },
        { kind: 'vendor_acknowledged', at: T + 30_000 },
        { kind: 'resolved', at: T + 3 * MIN },
      ]),
      T + 30 * MIN,
    )!;
    // The tier-3 level at 2 minutes names the vendor the ticket is already with: a page, no hand-off.
    expect(o).toMatchObject({ pages: 1, vendorPages: 1, vendorHandOffs: 0, breaches: { response: 0, resolution: 0, vendor_response: 0, vendor_resolution: 0 } });
  });

  it('is null when the policy has no rule for the ticket', () => {
    const noP4: EscalationPolicy = { ...TEST_FAST_POLICY, rules: TEST_FAST_POLICY.rules.filter((r) => r.priority !== 'P4') };
    expect(replayTicket(noP4, ticket('P4', []), T + MIN)).toBeNull();
    expect(replayTicket(noP4, ticket('P3', [{ kind: 'priority_changed', at: T + 1000, priority: 'P4' }]), T + MIN)).toBeNull();
  });
});

describe('readTimeline', () => {
  it('takes the human actions and counts what the workflow recorded as the replay counts it', () => {
    const at = (m: number) => new Date(T + m * MIN).toISOString();
    const { actions, recorded } = readTimeline([
      { type: 'ticket.created', occurredAt: at(0), data: {} },
      { type: 'ticket.sla_breached', occurredAt: at(1), data: { clock: 'response' } },
      { type: 'ticket.escalated', occurredAt: at(1), data: { tier: 2, targets: [{ kind: 'it_lead' }] } },
      { type: 'ticket.escalated', occurredAt: at(2), data: { tier: 3, targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }, { kind: 'it_lead' }] } },
      { type: 'ticket.escalation_repeated', occurredAt: at(2), data: { tier: 3, targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }] } },
      { type: 'ticket.waiting_on_requester', occurredAt: at(3), data: {} },
      { type: 'ticket.commented', occurredAt: at(4), data: { resumed: false } },
      { type: 'ticket.commented', occurredAt: at(5), data: { resumed: true } },
      { type: 'ticket.priority_changed', occurredAt: at(6), data: { from: 'P1', to: 'P2' } },
      { type: 'ticket.handed_to_vendor', occurredAt: at(7), data: { vendorOrgId: 'other' } },
      { type: 'ticket.resolved', occurredAt: at(8), data: {} },
    ]);
    expect(actions).toEqual([
      { kind: 'waiting_on_requester', at: T + 3 * MIN },
      { kind: 'resumed', at: T + 5 * MIN },
      { kind: 'priority_changed', at: T + 6 * MIN, priority: 'P2' },
      { kind: 'handed_to_vendor', at: T + 7 * MIN, vendorOrgId: 'other' },
      { kind: 'resolved', at: T + 8 * MIN },
    ]);
    expect(recorded).toEqual({ tickets: 1, pages: 4, vendorPages: 2, vendorHandOffs: 1, breaches: { response: 1, resolution: 0, vendor_response: 0, vendor_resolution: 0 } });
  });
});

describe('compareWhatIf', () => {
  it('a draft with shorter minutes pages more; the current version is compared with what really happened on it', () => {
    const draft = structuredClone(TEST_FAST_POLICY);
    const p3 = draft.rules.find((r) => r.priority === 'P3')!;
    p3.levels[0]!.after.minutes = 1;
    p3.responseTargetMinutes = 1;
    const recorded = { ...emptyOutcome(), tickets: 1, pages: 1, breaches: { response: 1, resolution: 0, vendor_response: 0, vendor_resolution: 0 } };
    const tickets = [
      // Acknowledged at 2 minutes: within the current 3, past the draft's 1.
      ticket('P3', [{ kind: 'acknowledged', at: T + 2 * MIN }, { kind: 'resolved', at: T + 5 * MIN }], { id: 'a', recorded: { ...emptyOutcome(), tickets: 1 } }),
      ticket('P3', [{ kind: 'acknowledged', at: T + 4 * MIN }, { kind: 'resolved', at: T + 5 * MIN }], { id: 'b', recorded }),
      // Opened on an older version: replayed, not compared with its record.
      ticket('P3', [{ kind: 'acknowledged', at: T + 4 * MIN }, { kind: 'resolved', at: T + 5 * MIN }], { id: 'c', policyVersion: 0, recorded: emptyOutcome() }),
    ];
    const c = compareWhatIf({ version: 1, policy: TEST_FAST_POLICY }, draft, tickets, T + 60 * MIN);
    expect(c.rows.map((r) => r.priority)).toEqual(['P3']);
    const row = c.rows[0]!;
    expect(row.current).toMatchObject({ tickets: 3, pages: 2, breaches: { response: 2 } });
    expect(row.draft).toMatchObject({ tickets: 3, pages: 3, breaches: { response: 3 } });
    expect(row.recorded).toEqual(row.recordedReplay);
    expect(row.recorded).toMatchObject({ tickets: 2, pages: 1 });
    expect(c.total.draft.pages).toBe(3);
    expect(c.skipped).toEqual({ current: 0, draft: 0 });
  });
});
