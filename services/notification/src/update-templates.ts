import type { NotificationChannel } from '@tierline/contracts';
// Every interpolated string is escaped by `html` (hono/html); only its own fragments go in as they are.
import { html, htmlText } from '@tierline/platform';
import type { EmailContent } from './templates.js';

/** The ticket changes a requester or watcher is told of (docs/decisions/0034). */
export const UPDATE_KINDS = ['acknowledged', 'picked_up_again', 'waiting_on_requester', 'public_reply', 'resolved', 'closed', 'auto_closed', 'incident_status'] as const;
export type UpdateKind = (typeof UPDATE_KINDS)[number];

export interface UpdateChange {
  kind: UpdateKind;
  at: string;
  /**
   * The words of IT's question or of a public reply. Email only: the requester answers a question
   * by replying to the email. Never set for SMS or chat (third parties), never an internal note.
   */
  text?: string;
  /**
   * The number of the major incident the ticket is part of, when the change is the incident's
   * (docs/decisions/0041): its requester is told of the outage in her own ticket's update.
   */
  incident?: string;
  /** For a status post: when IT said the next update is due. */
  nextUpdateAt?: string;
}

/** The "Fixed" / "Not fixed" links of a resolved ticket: bearer credentials, email only, never stored. */
export interface ResolvedLinks {
  fixedUrl: string;
  notFixedUrl: string;
  expiresAt: string;
}

/**
 * What one update may say, built field by field (never by spreading an event or a ticket): the
 * ticket's number, its latest status, what changed in this burst, and the portal link. Only the
 * email view carries the changes' words and the resolved links (`updateViewFor`).
 */
export interface UpdateView {
  ticketNumber: string;
  /** The ticket's latest status, as words for the requester ("waiting for your answer"). */
  status: string;
  changes: UpdateChange[];
  link: string;
  resolvedLinks?: ResolvedLinks;
}

const STATUS_WORDS: Record<string, string> = {
  new: 'open',
  acknowledged: 'acknowledged by IT',
  in_progress: 'being worked on by IT',
  waiting_on_requester: 'waiting for your answer',
  waiting_on_vendor: 'with a supplier',
  resolved: 'resolved',
  closed: 'closed',
};
export const statusWords = (status: string | null): string => (status ? (STATUS_WORDS[status] ?? status.replace(/_/g, ' ')) : 'open');

const CHANGE_WORDS: Record<UpdateKind, string> = {
  acknowledged: 'IT picked up your ticket',
  picked_up_again: 'IT picked up your reopened ticket again',
  waiting_on_requester: 'IT asked you a question',
  public_reply: 'A reply was posted',
  resolved: 'IT resolved the ticket',
  closed: 'The ticket was closed',
  auto_closed: 'The ticket was closed automatically after it stayed resolved',
  incident_status: 'IT posted an update on the outage; read it on the portal',
};
const INCIDENT_WORDS: Partial<Record<UpdateKind, string>> = {
  acknowledged: 'IT picked up the outage',
  picked_up_again: 'IT picked up the outage again',
  public_reply: 'A reply was posted on the outage',
  resolved: 'IT resolved the outage, and your ticket with it',
};
const utc = (iso: string) => iso.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC');
export const changeWords = (k: UpdateKind) => CHANGE_WORDS[k];
/** What one change says: its kind's words, and for an incident's change, which outage and the next update. */
export function describeChange(c: Pick<UpdateChange, 'kind' | 'incident' | 'nextUpdateAt'>): string {
  const base = c.incident ? `${INCIDENT_WORDS[c.kind] ?? changeWords(c.kind)} (${c.incident}, which your ticket is part of)` : changeWords(c.kind);
  return c.nextUpdateAt ? `${base}; next update by ${utc(c.nextUpdateAt)}` : base;
}

/** The view for one channel: outside email, the words and the signed links are dropped here. */
export function updateViewFor(channel: NotificationChannel, full: UpdateView): UpdateView {
  if (channel === 'email') return full;
  return {
    ticketNumber: full.ticketNumber,
    status: full.status,
    changes: full.changes.map((c) => ({ kind: c.kind, at: c.at, ...(c.incident ? { incident: c.incident } : {}), ...(c.nextUpdateAt ? { nextUpdateAt: c.nextUpdateAt } : {}) })),
    link: full.link,
  };
}

const latest = (u: UpdateView) => u.changes[u.changes.length - 1];

export function updateSubject(u: UpdateView): string {
  const last = latest(u);
  const what = u.changes.length > 1 ? `${u.changes.length} changes` : last ? describeChange(last) : 'update';
  return `${u.ticketNumber}: ${what} — now ${u.status}`;
}

export function renderUpdateEmail(u: UpdateView): EmailContent {
  const lines = u.changes.map((c) => `- ${describeChange(c)} (${utc(c.at)})${c.text ? `:\n\n${c.text.replace(/^/gm, '    ')}\n` : ''}`);
  const asks = u.changes.some((c) => c.kind === 'waiting_on_requester') && u.status === statusWords('waiting_on_requester');
  const text = [
    `Your ticket ${u.ticketNumber} is now ${u.status}.`,
    '',
    'What changed:',
    ...lines,
    '',
    ...(asks ? ['To answer, reply to this email or open the ticket.', ''] : []),
    ...(u.resolvedLinks
      ? [`Is it fixed? Fixed: ${u.resolvedLinks.fixedUrl}`, `Not fixed: ${u.resolvedLinks.notFixedUrl}`, `(These two links work once, until ${u.resolvedLinks.expiresAt}.)`, '']
      : []),
    `Open the ticket: ${u.link}`,
    '',
  ].join('\n');
  const body = html`${[
    html`<p>Your ticket <strong>${u.ticketNumber}</strong> is now <strong>${u.status}</strong>.</p>`,
    html`<ul>${u.changes.map((c) => html`<li>${describeChange(c)}${c.text ? html`:<blockquote style="white-space:pre-wrap">${c.text}</blockquote>` : ''}</li>`)}</ul>`,
    asks ? html`<p>To answer, reply to this email or open the ticket.</p>` : '',
    u.resolvedLinks
      ? html`<p>Is it fixed? <a href="${u.resolvedLinks.fixedUrl}">Fixed</a> · <a href="${u.resolvedLinks.notFixedUrl}">Not fixed</a></p>`
      : '',
    html`<p><a href="${u.link}">Open the ticket</a></p>`,
  ]}`;
  return { subject: updateSubject(u), text, html: htmlText(body) };
}

/** SMS, Slack and Teams: number, status, what changed (by kind, not words), portal link. */
export function renderUpdateShortText(u: UpdateView): string {
  const last = latest(u);
  const what = u.changes.length > 1 ? `${u.changes.length} changes, latest: ${last ? describeChange(last).toLowerCase() : 'update'}` : last ? describeChange(last).toLowerCase() : 'update';
  return `Tierline: ${u.ticketNumber} is now ${u.status} (${what}). ${u.link}`;
}

export function renderUpdateTeams(u: UpdateView, recipient: { displayName: string; teamsHandle?: string }) {
  const mention = `<at>${recipient.displayName}</at>`;
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          type: 'AdaptiveCard',
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: mention, wrap: true },
            { type: 'TextBlock', text: renderUpdateShortText(u), wrap: true, weight: 'Bolder' },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Open ticket', url: u.link }],
          msteams: { entities: [{ type: 'mention', text: mention, mentioned: { id: recipient.teamsHandle ?? recipient.displayName, name: recipient.displayName } }] },
        },
      },
    ],
  };
}
