import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import type { Logger, Sql } from '@tierline/platform';
import { matchAddress, type ReplyAddressConfig } from './reply-address.js';
import { stripQuoted } from './quote-strip.js';
import { authFailure, loopReason, readHeaders, type OwnIdentity } from './screening.js';
import { claimReply, releaseReply, type InboundRow, type Outcome } from './store.js';
import { TransientError, type DirectoryPerson, type InboundServices } from './services.js';

export type AutoReplyKind = 'unknown_sender' | 'ticket_closed' | 'not_allowed' | 'files_refused';

/** Sends one automatic answer; throws when it could not (the message is then retried). */
export type AutoReplySender = (m: { to: string; kind: AutoReplyKind; inReplyTo: string | null; subject: string; text: string; inboundId: string }) => Promise<void>;

export interface ProcessorDeps {
  sql: Sql;
  logger: Logger;
  services: InboundServices;
  sendReply: AutoReplySender;
  addresses: ReplyAddressConfig;
  own: OwnIdentity;
  authservId: string;
  portalUrl: string;
  helpdeskPhone: string;
  replyWindowMinutes: number;
}

const firstAddress = (a: AddressObject | AddressObject[] | undefined): { address: string; name: string } | null => {
  const v = (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value)[0];
  return v?.address ? { address: v.address.toLowerCase(), name: v.name ?? '' } : null;
};

/** The subject as a ticket title: without the Re:/Fwd: prefixes clients add. */
export function titleFrom(subject: string | undefined, senderName: string): string {
  const t = (subject ?? '').replace(/^\s*((re|fw|fwd|aw|wg|sv|tr)\s*(\[\d+\])?\s*:\s*)+/i, '').replace(/\s+/g, ' ').trim();
  return t || `Email from ${senderName}`;
}

/** The mail's text: its plain-text part, or its HTML part as text. */
function plainText(mail: ParsedMail): string {
  if (mail.text?.trim()) return mail.text;
  if (typeof mail.html === 'string') {
    return mail.html
      .replace(/<(br|\/p|\/div|\/li|\/tr)\b[^>]*>/gi, '\n')
      .replace(/<blockquote\b[\s\S]*?<\/blockquote>/gi, '')
      .replace(/<[^>]+>/g, '')
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  return '';
}

const person = (p: DirectoryPerson) => ({ id: p.id, username: p.username, roles: p.roles, sites: p.sites });

/** Parts that sign the mail (S/MIME, OpenPGP) rather than being files the sender attached. */
const SIGNATURE_TYPES = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature', 'application/pgp-signature']);

/** The files the sender attached (or pasted inline), each with its place in the mail. */
const filesOf = (mail: Pick<ParsedMail, 'attachments'>): { index: number; file: Attachment }[] =>
  mail.attachments.map((file, index) => ({ index, file })).filter(({ file }) => !SIGNATURE_TYPES.has(file.contentType.toLowerCase()));

/** A file of the mail without a name (a pasted image often has none): named by its place. */
const fileNameOf = (a: Attachment, index: number) => a.filename?.trim() || `attachment-${index + 1}`;

/**
 * Hands each file of the mail to the ticket service, as the sender, after the ticket or comment
 * stands (decision 0036). Attachments and inline parts alike: Outlook pastes a screenshot inline
 * and Apple Mail sends pictures inline. A refused file (too large, a type not accepted, the ticket
 * full) does not undo anything: it is said in the message's outcome, which IT leads read, and
 * the caller tells the sender. A failure a retry may fix throws, and the message is processed
 * again; each file is stored once whatever the number of attempts (its id derives from
 * messageKey and its index).
 */
async function attachFiles(deps: ProcessorDeps, mail: ParsedMail, a: { ticketId: string; messageKey: string; sender: DirectoryPerson }): Promise<{ summary: string; refused: string[] }> {
  let stored = 0;
  const refused: string[] = [];
  const files = filesOf(mail);
  for (const { index, file } of files) {
    const fileName = fileNameOf(file, index);
    const r = await deps.services.attach({ ticketId: a.ticketId, messageKey: a.messageKey, index, uploader: person(a.sender), fileName, bytes: file.content });
    if (r.ok) stored += 1;
    else if ([400, 404, 409, 413, 415, 422].includes(r.status)) refused.push(r.message.includes(fileName) ? r.message : `${fileName}: ${r.message}`);
    else throw new TransientError(`attachment ${index + 1}: HTTP ${r.status} ${r.message}`);
  }
  if (files.length === 0) return { summary: '', refused };
  return { summary: `; ${stored} of ${files.length} file(s) attached${refused.length ? `; refused: ${refused.join('; ')}` : ''}`, refused };
}

/**
 * Decides and does what one stored message asks, and says what became of it. Throws for a
 * failure a retry may fix (a service unreachable, an answer that could not be sent); the caller
 * retries the message later. Everything it calls is idempotent on the message (the ticket
 * routes on its messageKey, the automatic answer on its row), so a retry after a crash acts once.
 */
export async function processInbound(deps: ProcessorDeps, row: InboundRow): Promise<Outcome> {
  const headers = readHeaders(row.raw);
  const loop = loopReason(headers, row.mail_from, deps.own);
  const mail = await simpleParser(row.raw, { skipImageLinks: true, skipTextToHtml: true });
  const from = firstAddress(mail.from);
  const facts = { sender: from?.address ?? null, subject: mail.subject?.slice(0, 300) ?? null, attachmentCount: filesOf(mail).length };
  // Never answered, never acted on: a machine talking, or our own mail come back.
  if (loop) return { status: 'ignored', outcome: loop, ...facts };
  const held = authFailure(headers, deps.authservId);
  if (held) return { status: 'held', outcome: held, ...facts };
  if (!from) return { status: 'ignored', outcome: 'no sender address in From', ...facts };

  // Where it was sent: a reply address first (a reply often copies the help desk too), then the help desk.
  const matches = row.rcpt_to.map((r) => matchAddress(r, deps.addresses));
  const target = matches.find((m) => m.kind === 'reply') ?? matches.find((m) => m.kind === 'forged') ?? matches.find((m) => m.kind === 'helpdesk');
  if (!target) return { status: 'ignored', outcome: 'not addressed to the help desk', ...facts };
  if (target.kind === 'forged') {
    return { status: 'held', outcome: `held: the reply address token does not match ticket ${target.ticketNumber}`, ...facts, ticketNumber: target.ticketNumber };
  }

  const sender = await deps.services.personByEmail(from.address);
  const messageKey = row.dedupe_key.slice(0, 200);
  const inReplyTo = row.message_id ? `<${row.message_id}>` : null;
  /** One automatic answer per message; `windowMinutes` (default the reply window) limits how often one sender gets this kind. */
  const answer = async (kind: AutoReplyKind, subject: string, text: string, windowMinutes = deps.replyWindowMinutes): Promise<boolean> => {
    if (!(await claimReply(deps.sql, { inboundId: row.id, recipient: from.address, kind, windowMinutes }))) return false;
    try {
      await deps.sendReply({ to: from.address, kind, inReplyTo, subject, text, inboundId: row.id });
      return true;
    } catch (err) {
      await releaseReply(deps.sql, row.id);
      throw err;
    }
  };
  const howToGetHelp = `To report a problem, use the IT portal at ${deps.portalUrl} or call the IT help desk on ${deps.helpdeskPhone}.`;
  /** The files of the mail onto the ticket; the sender is told of those that were not added, once per message. */
  const attach = async (ticket: { ticketId: string; number: string }, who: DirectoryPerson): Promise<string> => {
    const files = await attachFiles(deps, mail, { ticketId: ticket.ticketId, messageKey, sender: who });
    if (files.refused.length === 0) return files.summary;
    const told = await answer(
      'files_refused',
      `Files not added to ${ticket.number}`,
      `Hello,\n\nYour message is on ${ticket.number}, but ${files.refused.length === 1 ? 'this file was' : 'these files were'} not added to it:\n\n` +
        `${files.refused.map((r) => `- ${r}`).join('\n')}\n\nYou can add files to the ticket in the IT portal at ${deps.portalUrl}.\n\nThis answer is automatic; replies to it are not read.\n`,
      0,
    );
    return `${files.summary}${told ? ' (sender told)' : ''}`;
  };

  if (!sender) {
    const sent = await answer(
      'unknown_sender',
      'Your message to the IT help desk',
      `Hello,\n\nThank you for writing to the IT help desk. We could not match your address to a staff account, so no ticket was opened from your message.\n\n${howToGetHelp}\n\nThis answer is automatic; replies to it are not read.\n`,
    );
    return { status: 'done', outcome: sent ? 'unknown sender: told how to get help, no ticket' : 'unknown sender: no ticket (already told recently)', ...facts };
  }

  // The ticket service takes up to 10 000 characters of a comment (5 000 of a description, which it cuts itself).
  const text = stripQuoted(plainText(mail)).slice(0, 10_000);
  if (target.kind === 'helpdesk') {
    const r = await deps.services.openTicket({ requester: person(sender), title: titleFrom(mail.subject, sender.displayName ?? sender.username), description: text, messageKey, attachments: facts.attachmentCount });
    if (r.ok) {
      const files = await attach(r.body, sender);
      return { status: 'done', outcome: `opened ${r.body.number}${r.body.replayed ? ' (already opened by this mail)' : ''}${files}`, ticketId: r.body.ticketId, ticketNumber: r.body.number, ...facts };
    }
    if (r.status === 422) {
      await answer('not_allowed', 'Your message to the IT help desk', `Hello,\n\nWe could not open a ticket from your message: ${r.message}.\n\n${howToGetHelp}\n\nThis answer is automatic; replies to it are not read.\n`);
      return { status: 'done', outcome: `no ticket: ${r.message}`, ...facts };
    }
    return { status: 'failed', outcome: `the ticket service refused the ticket: ${r.message}`, ...facts };
  }

  // A reply to a ticket's address.
  if (!text && facts.attachmentCount === 0) return { status: 'ignored', outcome: `empty reply to ${target.ticketNumber}`, ...facts, ticketNumber: target.ticketNumber };
  // A reply that only carries files (a screenshot, no words) still becomes a comment, which says so.
  const body = text || `Sent ${facts.attachmentCount} file(s) by email.`;
  const r = await deps.services.comment({ ticketNumber: target.ticketNumber, author: person(sender), body, messageKey, attachments: facts.attachmentCount });
  if (r.ok) {
    const files = await attach(r.body, sender);
    return { status: 'done', outcome: `public comment on ${r.body.number}${files}`, ticketId: r.body.ticketId, ticketNumber: r.body.number, ...facts };
  }
  if (r.status === 409) {
    await answer(
      'ticket_closed',
      `${target.ticketNumber} is closed`,
      `Hello,\n\n${target.ticketNumber} is closed, so your reply was not added to it. If the problem is back or you need something new, please report it again.\n\n${howToGetHelp}\n\nThis answer is automatic; replies to it are not read.\n`,
    );
    return { status: 'done', outcome: `not added: ${r.message}`, ...facts, ticketNumber: target.ticketNumber };
  }
  if (r.status === 404 || r.status === 422) return { status: 'ignored', outcome: `not added: ${r.message}`, ...facts, ticketNumber: target.ticketNumber };
  return { status: 'failed', outcome: `the ticket service refused the comment: ${r.message}`, ...facts, ticketNumber: target.ticketNumber };
}
