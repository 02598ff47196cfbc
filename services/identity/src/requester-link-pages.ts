import type { RequesterLinkAnswer, RequesterLinkRefusal } from '@tierline/contracts';
import { html, type HtmlFragment } from '@tierline/platform';
import { capital, page, when } from './vendor-link-pages.js';

/**
 * The pages a requester sees after following "Fixed" or "Not fixed" in her resolved message
 * (docs/decisions/0035). The shell is the vendor pages' (no script, one hashed style, the same
 * headers); the only ticket fact shown is its number: the link is a bearer credential and may be
 * forwarded, so nothing anyone wrote about the problem is on these pages. Forms post to paths
 * relative to the page: `<token>/answer` from the link, `satisfaction` from the answer's page.
 */

/**
 * What the link asks, and its one button. Opening it changes nothing. `action` is where the form
 * posts, relative to the page: `<token>/answer` from the link itself, `answer` when the form comes
 * back with an error from that address.
 */
export function answerPage(ticketNumber: string, ans: RequesterLinkAnswer, action: string, error: string | null = null, reason = ''): string {
  if (ans === 'fixed') {
    return page(
      `Is ${ticketNumber} fixed?`,
      html`${[
        html`<h1>Is ticket ${ticketNumber} fixed?</h1>`,
        html`<p>IT marked your ticket ${ticketNumber} as resolved. If the problem is gone, confirm it and the ticket closes.</p>`,
        html`<form method="post" action="${action}">`,
        html`<button type="submit">Yes, it is fixed</button>`,
        html`</form>`,
        html`<p class="note">Nothing happens until you press the button. This link works once; the "Not fixed" link in the same message then stops working too.</p>`,
      ]}`,
    );
  }
  return page(
    `${ticketNumber} is not fixed`,
    html`${[
      html`<h1>Ticket ${ticketNumber} is not fixed?</h1>`,
      html`<p>Tell IT what is still wrong and the ticket reopens.</p>`,
      html`<form method="post" action="${action}">`,
      html`<label for="reason">What is still wrong? (required)</label>`,
      error ? html`<p class="error" id="reason-error" role="alert">${error}</p>` : '',
      html`<textarea id="reason" name="reason" required minlength="3" maxlength="2000"${error ? html` aria-invalid="true" aria-describedby="reason-error"` : ''}>${reason}</textarea>`,
      html`<p><button type="submit">Reopen the ticket</button></p>`,
      html`</form>`,
      html`<p class="note">Nothing happens until you press the button. This link works once; the "Fixed" link in the same message then stops working too.</p>`,
    ]}`,
  );
}

/** After "Fixed": the ticket is closed, and the one optional question. */
export function closedPage(ticketNumber: string, error: string | null = null): string {
  const ratings = [1, 2, 3, 4, 5].map(
    (n) => html`<label><input type="radio" name="rating" value="${String(n)}" required> ${String(n)}${n === 1 ? ' (not at all)' : n === 5 ? ' (very)' : ''}</label>`,
  );
  return page(
    `${ticketNumber} closed`,
    html`${[
      html`<h1 role="status">Thank you: ${ticketNumber} is closed</h1>`,
      html`<p>One optional question. You can also just close this page.</p>`,
      html`<form method="post" action="satisfaction">`,
      html`<fieldset${error ? html` aria-describedby="rating-error"` : ''}><legend>How satisfied are you with how IT handled it?</legend>`,
      error ? html`<p class="error" id="rating-error" role="alert">${error}</p>` : '',
      html`${ratings}</fieldset>`,
      html`<label for="comment">Anything you want to add? (optional, up to 500 characters)</label>`,
      html`<textarea id="comment" name="comment" maxlength="500"></textarea>`,
      html`<p><button type="submit">Send</button></p>`,
      html`</form>`,
    ]}`,
  );
}

export function reopenedPage(ticketNumber: string): string {
  return page(
    `${ticketNumber} reopened`,
    html`${[
      html`<h1 role="status">Ticket ${ticketNumber} is reopened</h1>`,
      html`<p>IT has your reason and works on it again. You will hear from them.</p>`,
      html`<p class="note">This link has now been used; opening it again shows that it was.</p>`,
    ]}`,
  );
}

export function satisfactionThanksPage(ticketNumber: string): string {
  return page(`${ticketNumber}: thank you`, html`<h1 role="status">Thank you for your answer</h1><p>It is recorded with ticket ${ticketNumber}.</p>`);
}

export interface RequesterRefusalFacts {
  reason: RequesterLinkRefusal;
  ticketNumber: string | null;
  usedAt: Date | null;
  usedAnswer: RequesterLinkAnswer | null;
  expiredAt: Date | null;
  /** The ticket's status when it no longer takes the answer. */
  status: string | null;
}

/** HTTP status per refusal. */
export const REQUESTER_REFUSAL_STATUS: Record<RequesterLinkRefusal, 400 | 403 | 404 | 409 | 410> = {
  tampered: 400,
  unknown: 404,
  wrong_recipient: 403,
  expired: 410,
  used: 409,
  not_resolved: 409,
};

export function requesterRefusalPage(f: RequesterRefusalFacts): string {
  const ticket = f.ticketNumber ? `ticket ${f.ticketNumber}` : 'this ticket';
  const [title, text] = ((): [string, HtmlFragment] => {
    switch (f.reason) {
      case 'tampered':
        return ['This link is not valid', html`Its signature does not match: the link was changed or cut short. Open the link from the original message, complete.`];
      case 'unknown':
        return ['This link is not known', html`The link is signed correctly but Tierline has no record of it. Reply to IT or use the portal.`];
      case 'expired':
        return ['This link has expired', html`It expired ${f.expiredAt ? html`at ${when(f.expiredAt, 'UTC')}` : 'already'}. Use the portal to tell IT about ${ticket}.`];
      case 'used':
        return [
          'This link was already used',
          html`${capital(ticket)} was answered${f.usedAnswer ? ` “${f.usedAnswer === 'fixed' ? 'Fixed' : 'Not fixed'}”` : ''} with this message’s links at ${f.usedAt ? when(f.usedAt, 'UTC') : 'an earlier time'}. Each message’s pair of links works once.`,
        ];
      case 'wrong_recipient':
        return ['This link is not for you', html`It was sent to the person who reported the ticket, and only they can answer with it.`];
      case 'not_resolved':
        return ['Nothing to answer any more', html`${capital(ticket)} is ${f.status === 'closed' ? 'already closed' : `no longer resolved (it is ${(f.status ?? 'open').replace(/_/g, ' ')})`}. Use the portal to tell IT anything new.`];
    }
  })();
  return page(title, html`<h1 role="alert">${title}</h1><p>${text}</p><p class="note">Nothing was changed.</p>`);
}
