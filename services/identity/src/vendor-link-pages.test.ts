import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VENDOR_LINK_REFUSALS } from '@tierline/contracts';
import { linkPage, refusalPage, REFUSAL_STATUS, VENDOR_PAGE_CSP, type PageTicket } from './vendor-link-pages.js';

const ticket: PageTicket = {
  number: 'IT-1042',
  priority: 'P1',
  siteName: 'North Clinic',
  siteTimeZone: 'America/New_York',
  deadlineAt: new Date('2026-11-27T15:30:00Z'),
  deadlineLabel: 'Contract deadline',
};

describe('vendor link pages', () => {
  it('allows exactly its own inline style by hash, and nothing else', () => {
    const html = linkPage(ticket, 'a.b.c');
    const style = /<style>(.*?)<\/style>/.exec(html)![1]!;
    expect(VENDOR_PAGE_CSP).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(VENDOR_PAGE_CSP).toMatch(/^default-src 'none';/);
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it("shows the deadline in the site's time zone, with the exact instant machine-readable", () => {
    expect(linkPage(ticket, 'a.b.c')).toContain('<time datetime="2026-11-27T15:30:00.000Z">Fri, 27 Nov 2026, 10:30 GMT-5</time>');
    expect(linkPage({ ...ticket, siteTimeZone: 'Mars/Olympus' }, 'a.b.c'), 'an unknown zone falls back to UTC').toContain('>2026-11-27 15:30 UTC</time>');
    expect(linkPage({ ...ticket, deadlineAt: null }, 'a.b.c')).toContain('<dt>Contract deadline</dt><dd>none under the contract</dd>');
  });

  it('escapes everything it did not write itself', () => {
    const html = linkPage({ ...ticket, siteName: '<img src=x onerror=alert(1)>' }, '"><b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('action="&quot;&gt;&lt;b&gt;/acknowledge"');
    expect(html).not.toContain('<img');
    expect(refusalPage({ reason: 'not_waiting', ticketNumber: 'IT-1', usedAt: null, revokedAt: null, expiredAt: null, detail: '<i>x</i>', timeZone: 'UTC' })).toContain('&lt;i&gt;x&lt;/i&gt;');
  });

  it('says which refusal it is, each with its own title and status', () => {
    const titles = VENDOR_LINK_REFUSALS.map((reason) => /<h1[^>]*>(.*?)<\/h1>/.exec(refusalPage({ reason, ticketNumber: null, usedAt: null, revokedAt: null, expiredAt: null, detail: null, timeZone: 'UTC' }))![1]);
    expect(new Set(titles).size).toBe(VENDOR_LINK_REFUSALS.length);
    expect(REFUSAL_STATUS).toEqual({ tampered: 400, unknown: 404, wrong_recipient: 403, expired: 410, revoked: 410, used: 409, not_waiting: 409 });
  });
});
