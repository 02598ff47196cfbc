import type { NotificationChannel, NotifyCommand } from '@tierline/contracts';
// Every interpolated string is escaped by `html` (hono/html); only its own fragments go in as they are.
import { html, htmlText } from '@tierline/platform';
import type { Recipient } from './recipients.js';

/**
 * What a page may say. Built field by field from the command, never by spreading it, so a field
 * added to the command later (say, a description) cannot leak into SMS, chat or a vendor's inbox.
 */
export interface PageView {
  ticketNumber: string;
  priority: string;
  site: string;
  tier: number;
  headline: string;
  deadline: string | null;
  link: string;
}

export interface AlertView {
  failedChannel: NotificationChannel;
  recipientName: string;
  page: PageView;
}

const HEADLINES: Record<NotifyCommand['template'], (c: NotifyCommand) => string> = {
  escalation: (c) => `escalated to tier ${c.tier}`,
  escalation_repeat: (c) => `still unanswered at tier ${c.tier}`,
  sla_warning: (c) => `approaching its ${c.deadlineKind ?? 'deadline'}`,
  sla_breach: (c) => `breached its ${c.deadlineKind ?? 'deadline'}`,
  vendor_handoff: () => 'handed to your organisation',
  incident_update_due: () => 'major incident: the next status update is due',
};

/**
 * `vendorLink` is the vendor's signed acknowledge link (identity service); IT staff get the
 * portal's ticket page. A vendor page without its link is refused here, so none can go out.
 */
export function pageView(cmd: NotifyCommand, recipient: Pick<Recipient, 'isVendor' | 'username'>, portalUrl: string, vendorLink?: string): PageView {
  if (recipient.isVendor && !vendorLink) throw new Error(`page to vendor ${recipient.username} has no signed link`);
  const link = recipient.isVendor ? vendorLink! : `${portalUrl.replace(/\/$/, '')}/tickets/${cmd.ticketId}`;
  return {
    ticketNumber: cmd.ticketNumber,
    priority: cmd.priority,
    site: cmd.siteId,
    tier: cmd.tier,
    headline: HEADLINES[cmd.template](cmd),
    deadline: cmd.deadlineAt ? `${cmd.deadlineKind ?? 'deadline'} ${cmd.deadlineAt.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC')}` : null,
    link,
  };
}

export const subjectOf = (p: PageView) => `[${p.priority}] ${p.ticketNumber} ${p.headline} — ${p.site}`;
const lineOf = (p: PageView) => `[${p.priority}] ${p.ticketNumber} ${p.headline} — ${p.site}${p.deadline ? `; ${p.deadline}` : ''}. ${p.link}`;

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export function renderEmail(pages: PageView[], alert?: AlertView): EmailContent {
  if (alert) {
    const p = alert.page;
    const subject = `[${p.priority}] ${p.ticketNumber}: a ${alert.failedChannel} page to ${alert.recipientName} could not be delivered`;
    const text = `A ${alert.failedChannel} page to ${alert.recipientName} about ${p.ticketNumber} (${p.priority}, ${p.site}) failed after its retries.\nPlease reach them another way.\n${p.link}\n`;
    // Each line escaped, the line breaks kept as <br>.
    const lines = text.split('\n').flatMap((line, i) => (i === 0 ? [line] : [html`<br>`, line]));
    return { subject, text, html: htmlText(html`<p>${lines}</p>`) };
  }
  if (pages.length === 1) {
    const p = pages[0]!;
    const rows: [string, string][] = [
      ['Ticket', p.ticketNumber],
      ['Priority', p.priority],
      ['Site', p.site],
      ['Tier', String(p.tier)],
      ...(p.deadline ? ([['Deadline', p.deadline]] as [string, string][]) : []),
    ];
    const text = `${p.ticketNumber} ${p.headline}.\n\n${rows.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\nOpen the ticket: ${p.link}\n`;
    const body = html`${[
      html`<p><strong>${p.ticketNumber}</strong> ${p.headline}.</p>`,
      html`<table>${rows.map(([k, v]) => html`<tr><th align="left">${k}</th><td>${v}</td></tr>`)}</table>`,
      html`<p><a href="${p.link}">Open the ticket</a></p>`,
    ]}`;
    return { subject: subjectOf(p), text, html: htmlText(body) };
  }
  const subject = `Tierline: ${pages.length} updates (${[...new Set(pages.map((p) => p.ticketNumber))].join(', ')})`;
  const text = `${pages.length} updates were bundled into this message:\n\n${pages.map((p) => `- ${lineOf(p)}`).join('\n')}\n`;
  const body = html`<p>${pages.length} updates were bundled into this message:</p><ul>${pages.map((p) => html`<li>${lineOf(p)}</li>`)}</ul>`;
  return { subject, text, html: htmlText(body) };
}

/** SMS, Slack and Teams share this short text. */
export function renderShortText(pages: PageView[], alert?: AlertView): string {
  if (alert) {
    const p = alert.page;
    return `Tierline: ${alert.failedChannel} page to ${alert.recipientName} about ${p.ticketNumber} (${p.priority}, ${p.site}) failed. ${p.link}`;
  }
  if (pages.length === 1) return `Tierline: ${lineOf(pages[0]!)}`;
  return `Tierline: ${pages.length} updates: ${pages.map(lineOf).join(' | ')}`;
}

export function renderSlack(pages: PageView[], alert?: AlertView) {
  const text = renderShortText(pages, alert);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export function renderTeams(pages: PageView[], recipient: Pick<Recipient, 'displayName' | 'teamsHandle'>, alert?: AlertView) {
  const mention = `<at>${recipient.displayName}</at>`;
  const facts = alert || pages.length !== 1 ? [] : [
    { title: 'Priority', value: pages[0]!.priority },
    { title: 'Site', value: pages[0]!.site },
    ...(pages[0]!.deadline ? [{ title: 'Deadline', value: pages[0]!.deadline }] : []),
  ];
  const link = alert ? alert.page.link : pages[0]!.link;
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
            { type: 'TextBlock', text: renderShortText(pages, alert), wrap: true, weight: 'Bolder' },
            ...(facts.length > 0 ? [{ type: 'FactSet', facts }] : []),
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Open ticket', url: link }],
          msteams: { entities: [{ type: 'mention', text: mention, mentioned: { id: recipient.teamsHandle ?? recipient.displayName, name: recipient.displayName } }] },
        },
      },
    ],
  };
}
