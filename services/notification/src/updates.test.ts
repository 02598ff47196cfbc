import { describe, expect, it } from 'vitest';
import { pageChannels, updateChannels } from './pipeline.js';
import { renderUpdateEmail, renderUpdateShortText, renderUpdateTeams, updateViewFor, type UpdateView } from './update-templates.js';
import { noteIdOf, updateKindOf } from './updates.js';

const QUESTION = 'Which printer: the one by the ward desk?';
const view: UpdateView = {
  ticketNumber: 'IT-1042',
  status: 'resolved',
  changes: [
    { kind: 'waiting_on_requester', at: '2026-12-03T10:00:00.000Z', text: QUESTION },
    { kind: 'resolved', at: '2026-12-03T10:00:30.000Z', text: 'Toner replaced' },
  ],
  link: 'http://portal/tickets/t1',
  resolvedLinks: { fixedUrl: 'http://id/r/fixed-token', notFixedUrl: 'http://id/r/not-fixed-token', expiresAt: '2026-12-10T10:00:00.000Z' },
};

describe('which events are updates', () => {
  it('reads the kinds, picked up again and the automatic close; tolerates their absence; never an internal note', () => {
    expect(updateKindOf({ type: 'ticket.acknowledged', data: { number: 'IT-1', tier: 1 } })).toBe('acknowledged');
    expect(updateKindOf({ type: 'ticket.acknowledged', data: { number: 'IT-1', tier: 1, afterReopen: true } })).toBe('picked_up_again');
    expect(updateKindOf({ type: 'ticket.closed', data: { number: 'IT-1' } })).toBe('closed');
    expect(updateKindOf({ type: 'ticket.closed', data: { number: 'IT-1', auto: true } })).toBe('auto_closed');
    expect(updateKindOf({ type: 'ticket.commented', data: { visibility: 'public' } })).toBe('public_reply');
    expect(updateKindOf({ type: 'ticket.commented', data: { visibility: 'internal' } })).toBeNull();
    expect(updateKindOf({ type: 'ticket.escalated', data: {} })).toBeNull();
    expect(noteIdOf({ type: 'ticket.waiting_on_requester', data: { questionId: 'q1' } })).toBe('q1');
    expect(noteIdOf({ type: 'ticket.resolved', data: { resolutionId: 'r1' } })).toBe('r1');
    expect(noteIdOf({ type: 'ticket.acknowledged', data: {} })).toBeNull();
  });
});

describe('channels', () => {
  const person = { userId: 'u', username: 'nora', displayName: 'Nora', email: 'n@x', mobile: '+15550100001', isVendor: false };
  it('a page reaches the policy channels and adds the chosen ones, never removes one', () => {
    expect(pageChannels(['email'], { preferredChannels: ['sms', 'email'] })).toEqual(['email', 'sms']);
    expect(pageChannels(['email', 'slack'], { preferredChannels: [] })).toEqual(['email', 'slack']);
  });
  it('an update goes where the person chose and can be reached, else by email', () => {
    expect(updateChannels({ ...person, preferredChannels: ['sms'] })).toEqual(['sms']);
    expect(updateChannels({ ...person, preferredChannels: ['slack'] })).toEqual(['email']);
    expect(updateChannels(person)).toEqual(['email']);
  });
});

describe('what an update may carry', () => {
  it('email: the status, what changed with its words, and the two links', () => {
    const mail = renderUpdateEmail(updateViewFor('email', view));
    expect(mail.subject).toBe('IT-1042: 2 changes — now resolved');
    expect(mail.text).toContain(QUESTION);
    expect(mail.text).toContain('Fixed: http://id/r/fixed-token');
    expect(mail.html).toContain('href="http://id/r/not-fixed-token"');
  });
  it('SMS and chat: number, status and the portal link, no words and no signed link', () => {
    for (const channel of ['sms', 'slack', 'teams'] as const) {
      const v = updateViewFor(channel, view);
      const out = channel === 'teams' ? JSON.stringify(renderUpdateTeams(v, { displayName: 'Nora' })) : renderUpdateShortText(v);
      expect(out).toContain('IT-1042');
      expect(out).toContain('http://portal/tickets/t1');
      expect(out).not.toContain('printer');
      expect(out).not.toContain('Toner');
      expect(out).not.toContain('/r/');
    }
  });
});
