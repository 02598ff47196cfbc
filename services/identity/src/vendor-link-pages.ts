import { createHash } from 'node:crypto';
import type { VendorLinkRefusal } from '@tierline/contracts';
import { html, htmlText, raw, type HtmlFragment } from '@tierline/platform';

/**
 * The pages a vendor sees after following a signed link: self-contained HTML (no script, no
 * external assets), with ticket facts only — number, priority, site, contract deadline — never
 * anything a clinic user wrote. The shell (`page`, its style, headers and CSP) is every signed
 * link's: requester-link-pages.ts builds on it.
 */

const STYLE = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1a1a1a;line-height:1.5}',
  'main{max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #c9ced6;border-radius:8px}',
  'h1{font-size:1.4rem;margin:0 0 1rem}',
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:1.5rem 0}',
  'dt{font-weight:600}dd{margin:0}',
  'button{font:inherit;font-weight:600;padding:.7rem 1.4rem;border:0;border-radius:6px;background:#0b4f8a;color:#fff;cursor:pointer}',
  'button:focus-visible{outline:3px solid #f2a900;outline-offset:2px}',
  '.note{color:#3d4450;font-size:.95rem}',
  'label{display:block;font-weight:600;margin:1rem 0 .3rem}',
  'textarea{font:inherit;width:100%;box-sizing:border-box;min-height:6rem;padding:.5rem;border:1px solid #6b7280;border-radius:6px}',
  'fieldset{border:0;padding:0;margin:1rem 0}legend{font-weight:600;margin-bottom:.4rem}',
  'fieldset label{display:inline-block;font-weight:400;margin:0 1rem 0 0}',
  '.error{color:#a4000f;font-weight:600}',
].join('');

/** The page's only style, allowed by hash: the CSP forbids everything else. */
export const VENDOR_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const VENDOR_PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': VENDOR_PAGE_CSP,
  // The token is in the URL: keep it out of caches and out of Referer headers.
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
};

// Pages are built with `html` (hono/html, through @tierline/platform): every interpolated string
// is escaped; only fragments made by `html` and the page's own style (`raw`) go in as they are.
export interface PageTicket {
  number: string;
  priority: string;
  siteName: string;
  siteTimeZone: string;
  deadlineAt: Date | null;
  deadlineLabel: string;
}

export function when(at: Date, timeZone: string): HtmlFragment {
  let text: string;
  try {
    text = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' }).format(at);
  } catch {
    text = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  }
  return html`<time datetime="${at.toISOString()}">${text}</time>`;
}

function details(t: PageTicket): HtmlFragment {
  return html`${[
    html`<dl>`,
    html`<dt>Ticket</dt><dd>${t.number}</dd>`,
    html`<dt>Priority</dt><dd>${t.priority}</dd>`,
    html`<dt>Site</dt><dd>${t.siteName}</dd>`,
    html`<dt>${t.deadlineLabel}</dt><dd>${t.deadlineAt ? when(t.deadlineAt, t.siteTimeZone) : 'none under the contract'}</dd>`,
    html`</dl>`,
  ]}`;
}

/** A whole page: the shell every signed link's pages share. */
export function page(title: string, body: HtmlFragment): string {
  return htmlText(html`${[
    html`<!doctype html>`,
    html`<html lang="en">`,
    html`<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    html`<meta name="referrer" content="no-referrer">`,
    html`<title>${title} · Tierline</title><style>${raw(STYLE)}</style></head>`,
    html`<body><main>${body}</main></body>`,
    html`</html>`,
  ]}`);
}

/** The link is good: the facts and one button. The form posts to `<token>/acknowledge`, relative to this page. */
export function linkPage(t: PageTicket, token: string): string {
  return page(
    `Acknowledge ${t.number}`,
    html`${[
      html`<h1>Ticket ${t.number} is escalated to you</h1>`,
      details(t),
      html`<form method="post" action="${token}/acknowledge">`,
      html`<button type="submit" aria-describedby="ack-note">Acknowledge</button>`,
      html`</form>`,
      html`<p class="note" id="ack-note">Acknowledging tells the clinic you have taken the ticket: your contract clock moves from response to resolution. This link works once.</p>`,
    ]}`,
  );
}

export function acknowledgedPage(t: PageTicket, at: Date, resolutionDueAt: Date | null): string {
  return page(
    `${t.number} acknowledged`,
    html`${[
      html`<h1 role="status">Acknowledged: ${t.number}</h1>`,
      html`<p>Recorded at ${when(at, t.siteTimeZone)}. Thank you.</p>`,
      details({ ...t, deadlineAt: resolutionDueAt, deadlineLabel: 'Resolution due' }),
      html`<p class="note">This link has now been used; opening it again shows that it was.</p>`,
    ]}`,
  );
}

export interface RefusalFacts {
  reason: VendorLinkRefusal;
  ticketNumber: string | null;
  usedAt: Date | null;
  revokedAt: Date | null;
  expiredAt: Date | null;
  detail: string | null;
  timeZone: string;
}

/** HTTP status per refusal: what a client (or a test) can act on without reading the page. */
export const REFUSAL_STATUS: Record<VendorLinkRefusal, 400 | 403 | 404 | 409 | 410> = {
  tampered: 400,
  unknown: 404,
  wrong_recipient: 403,
  expired: 410,
  revoked: 410,
  used: 409,
  not_waiting: 409,
};

export function refusalPage(f: RefusalFacts): string {
  const ticket = f.ticketNumber ? `ticket ${f.ticketNumber}` : 'this ticket';
  const [title, text] = ((): [string, HtmlFragment] => {
    switch (f.reason) {
      case 'tampered':
        return ['This link is not valid', html`Its signature does not match: the link was changed or cut short. Open the link from the original message, complete.`];
      case 'unknown':
        return ['This link is not known', html`The link is signed correctly but Tierline has no record of it. Ask the clinic’s IT for a new one.`];
      case 'expired':
        return ['This link has expired', html`It expired ${f.expiredAt ? html`at ${when(f.expiredAt, f.timeZone)}` : 'already'}. A later notification about ${ticket} brings a new one.`];
      case 'used':
        return ['This link was already used', html`${capital(ticket)} was acknowledged with it at ${f.usedAt ? when(f.usedAt, f.timeZone) : 'an earlier time'}. Nothing more is needed.`];
      case 'revoked':
        return ['This link was withdrawn', html`The clinic’s IT revoked it${f.revokedAt ? html` at ${when(f.revokedAt, f.timeZone)}` : ''}. Contact them about ${ticket}.`];
      case 'wrong_recipient':
        return ['This link is not for you', html`It was issued to someone who is not, or no longer, an active user of the vendor organisation the ticket is escalated to.`];
      case 'not_waiting':
        return ['Nothing to acknowledge', html`${capital(ticket)} is no longer waiting for your acknowledgement${f.detail ? `: ${f.detail}` : ''}.`];
    }
  })();
  return page(title, html`<h1 role="alert">${title}</h1><p>${text}</p><p class="note">Nothing was changed.</p>`);
}

export function unavailablePage(): string {
  return page('Try again shortly', html`<h1 role="alert">Try again in a minute</h1><p>Tierline cannot reach the ticket system right now. Nothing was changed; the link still works.</p>`);
}

export function rateLimitedPage(retryAfterSeconds: string): string {
  return page('Too many requests', html`<h1 role="alert">Too many requests</h1><p>Wait ${retryAfterSeconds} seconds, then try again. Nothing was changed.</p>`);
}

export const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
