import { describe, expect, it } from 'vitest';
import type { EscalationState, Ticket } from './api/types.js';
import { nextEscalation, plainStatus, whatHappensNext } from './status.js';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const ticket = (over: Partial<Ticket> = {}): Ticket =>
  ({ id: 't1', number: 'IT-1001', priority: 'P1', status: 'new', tier: 1, nextDeadlineAt: null, nextDeadlineKind: null, ...over }) as Ticket;

function escalation(over: Partial<EscalationState> = {}): EscalationState {
  return {
    ticketId: 't1',
    number: 'IT-1001',
    siteId: 'north',
    category: 'network',
    openedAt: new Date(NOW - 4 * 60_000).toISOString(),
    acknowledgedAt: null,
    resolvedAt: null,
    events: [],
    runs: 0,
    status: 'new',
    priority: 'P1',
    tier: 1,
    teamId: null,
    assigneeId: null,
    vendorOrgId: null,
    policyVersion: 1,
    clocks: [
      { name: 'response', state: 'running', targetMinutes: 15, elapsedMinutes: 4, remainingMinutes: 11, deadlineAt: null, breached: false },
      { name: 'resolution', state: 'running', targetMinutes: 240, elapsedMinutes: 4, remainingMinutes: 236, deadlineAt: null, breached: false },
    ],
    levels: [
      { index: 0, clock: 'response', afterMinutes: 10, tier: 2, targets: [], channels: ['email'], repeatEveryMinutes: null, maxRepeats: 0, fired: 0, nextDueClockMs: 600_000 },
      { index: 1, clock: 'resolution', afterMinutes: 120, tier: 3, targets: [], channels: ['email'], repeatEveryMinutes: null, maxRepeats: 0, fired: 0, nextDueClockMs: 7_200_000 },
    ],
    escalations: [],
    currentLevel: 0,
    nextDeadline: null,
    now: new Date(NOW).toISOString(),
    ...over,
  };
}

describe('plain-language status', () => {
  it('names every status in words a requester uses, and marks what needs them', () => {
    expect(plainStatus('new').label).toBe('Received');
    expect(plainStatus('acknowledged').label).toBe('IT is on it');
    expect(plainStatus('waiting_on_requester')).toMatchObject({ label: 'Waiting for you', tone: 'action' });
    expect(plainStatus('resolved')).toMatchObject({ label: 'Fixed – please confirm', tone: 'action' });
    expect(plainStatus('closed').tone).toBe('done');
  });

  it('finds when the next level fires from the running clock', () => {
    expect(nextEscalation(escalation())).toEqual({ tier: 2, atMs: NOW + 6 * 60_000, clock: 'response' });
    // Acknowledged: the response clock stopped, so the next is the resolution level.
    const acked = escalation({ clocks: escalation().clocks.map((c) => (c.name === 'response' ? { ...c, state: 'stopped' as const } : c)) });
    expect(nextEscalation(acked)).toEqual({ tier: 3, atMs: NOW + 116 * 60_000, clock: 'resolution' });
    // A fired level is not next again; a paused clock escalates nothing.
    const fired = escalation({ levels: escalation().levels.map((l) => ({ ...l, fired: 1 })) });
    expect(nextEscalation(fired)).toBeNull();
    const paused = escalation({ clocks: escalation().clocks.map((c) => ({ ...c, state: 'paused' as const })) });
    expect(nextEscalation(paused)).toBeNull();
  });

  it('says who has it and when it escalates on its own', () => {
    const lines = whatHappensNext(ticket(), escalation(), NOW).join(' ');
    expect(lines).toMatch(/with the IT service desk\. Nobody has taken it yet/);
    expect(lines).toMatch(/If nobody has taken it by .* \(in 6 minutes 00 seconds\), it moves on to the IT specialist team automatically/);
    expect(lines).toMatch(/critical/);
    expect(lines).toMatch(/IT-1001/);
  });

  it('falls back on the ticket’s next deadline when the escalation state is not known', () => {
    const t = ticket({ status: 'acknowledged', tier: 2, nextDeadlineAt: new Date(NOW + 30 * 60_000).toISOString(), nextDeadlineKind: 'escalation to tier 3' });
    const lines = whatHappensNext(t, null, NOW).join(' ');
    expect(lines).toMatch(/with the IT specialist team, and someone has taken it/);
    expect(lines).toMatch(/\(in 30 minutes 00 seconds\), it moves on to senior engineers at the external IT supplier/);
  });

  it('tells the requester what to do when it is their turn', () => {
    expect(whatHappensNext(ticket({ status: 'resolved' })).join(' ')).toMatch(/fixed.*confirm it below/);
    expect(whatHappensNext(ticket({ status: 'resolved' })).join(' ')).not.toMatch(/on its own/);
    // The workflow's auto-close is the resolved ticket's next deadline: the requester sees when.
    const closing = ticket({ status: 'resolved', nextDeadlineAt: new Date(NOW + 5 * 24 * 3_600_000).toISOString(), nextDeadlineKind: 'auto-close' });
    expect(whatHappensNext(closing, null, NOW).join(' ')).toMatch(/closes on its own on .+ \(in 5 days/);
    expect(whatHappensNext(ticket({ status: 'waiting_on_requester' })).join(' ')).toMatch(/reply below.*paused/);
    expect(whatHappensNext(ticket({ status: 'closed' })).join(' ')).toMatch(/closed/);
  });
});
