import { describe, expect, it } from 'vitest';
import type { NotifyCommand } from '@tierline/contracts';
import { pageView, renderEmail, renderShortText, renderSlack, renderTeams, subjectOf } from './templates.js';

const cmd: NotifyCommand = {
  idempotencyKey: 'k',
  template: 'escalation',
  ticketId: '4f1c7f0e-8a4b-4c36-9b7e-2f0a4a3a1b11',
  ticketNumber: 'IT-1042',
  priority: 'P1',
  siteId: 'North Clinic',
  tier: 2,
  level: 1,
  targets: [{ kind: 'it_lead' }],
  channels: ['email'],
  deadlineAt: '2026-11-27T18:00:00.000Z',
  deadlineKind: 'response target',
  createdAt: '2026-11-27T17:00:00.000Z',
};
const SECRET = 'printer on fire near patient bed 4';
// A command with extra free text (should a later schema add it) must still render without it.
const leaky = { ...cmd, description: SECRET, comments: [SECRET] } as NotifyCommand;

describe('templates', () => {
  it('names priority, ticket, tier and site in the email subject', () => {
    expect(subjectOf(pageView(cmd, { isVendor: false, username: 'lee.lead' }, 'http://portal'))).toBe('[P1] IT-1042 escalated to tier 2 — North Clinic');
  });
  it("remind a major incident's owner that its next status update is due, with the announced time", () => {
    const reminder: NotifyCommand = { ...cmd, template: 'incident_update_due', level: null, deadlineKind: 'next status update', targets: [{ kind: 'user', userId: 'lee.lead' }] };
    const email = renderEmail([pageView(reminder, { isVendor: false, username: 'lee.lead' }, 'http://portal')]);
    expect(email.subject).toBe('[P1] IT-1042 major incident: the next status update is due — North Clinic');
    expect(email.text).toContain('next status update 2026-11-27 18:00:00 UTC');
  });
  it('link staff to the portal ticket and vendors to their signed link, and refuse a vendor page without one', () => {
    expect(pageView(cmd, { isVendor: false, username: 'lee.lead' }, 'http://portal/').link).toBe(`http://portal/tickets/${cmd.ticketId}`);
    expect(pageView(cmd, { isVendor: true, username: 'val.vendor' }, 'http://portal', 'http://id/v/jws').link).toBe('http://id/v/jws');
    expect(() => pageView(cmd, { isVendor: true, username: 'val.vendor' }, 'http://portal')).toThrow(/val.vendor has no signed link/);
  });
  it.each([false, true])('never carry a description or comments on any channel (vendor: %s)', (isVendor) => {
    const p = pageView(leaky, { isVendor, username: 'x' }, 'http://portal', 'http://id/v/jws');
    const outputs = [
      JSON.stringify(renderEmail([p])),
      renderShortText([p]),
      JSON.stringify(renderSlack([p])),
      JSON.stringify(renderTeams([p], { displayName: 'Lee', teamsHandle: 'lee@x' })),
      JSON.stringify(renderEmail([p, p])),
      renderShortText([p], { failedChannel: 'sms', recipientName: 'Val', page: p }),
    ];
    for (const o of outputs) {
      expect(o).not.toContain(SECRET);
      expect(o).toContain('IT-1042');
    }
  });
  it('escape HTML in the email body', () => {
    const p = pageView({ ...cmd, siteId: '<script>x</script>' }, { isVendor: false, username: 'lee.lead' }, 'http://portal');
    expect(renderEmail([p]).html).not.toContain('<script>');
  });
  it('build a Teams message with an Adaptive Card 1.4 attachment', () => {
    const m = renderTeams([pageView(cmd, { isVendor: false, username: 'lee.lead' }, 'http://portal')], { displayName: 'Lee', teamsHandle: 'lee@x' });
    expect(m.type).toBe('message');
    expect(m.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(m.attachments[0]!.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
  });
  it('bundle several pages into one digest', () => {
    const p = pageView(cmd, { isVendor: false, username: 'lee.lead' }, 'http://portal');
    expect(renderShortText([p, p, p])).toMatch(/^Tierline: 3 updates/);
    expect(renderEmail([p, p]).subject).toBe('Tierline: 2 updates (IT-1042)');
  });
});
