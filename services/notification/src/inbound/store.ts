import { createHash, randomUUID } from 'node:crypto';
import type { Sql } from '@tierline/platform';
import { readHeaders } from './screening.js';

export type InboundStatus = 'received' | 'done' | 'held' | 'ignored' | 'failed';

export interface InboundRow {
  id: string;
  dedupe_key: string;
  message_id: string | null;
  raw: Buffer;
  mail_from: string;
  rcpt_to: string[];
  client_address: string;
  received_at: Date;
  status: InboundStatus;
  outcome: string | null;
  ticket_id: string | null;
  ticket_number: string | null;
  sender: string | null;
  subject: string | null;
  attachment_count: number;
  attempts: number;
  last_error: string | null;
}

/**
 * The key that makes one mail one row: its Message-ID (the relay retrying, or the same mail sent
 * to both the help desk and a reply address, carries the same one), or a hash of the whole
 * message when it has none.
 */
export function dedupeKeyOf(raw: Buffer): { key: string; messageId: string | null } {
  const messageId = readHeaders(raw).get('message-id')?.[0]?.trim() ?? null;
  const id = messageId ? /<([^<>]+)>/.exec(messageId)?.[1] ?? messageId : null;
  if (id) return { key: `mid:${id.toLowerCase()}`, messageId: id };
  return { key: `sha256:${createHash('sha256').update(raw).digest('hex')}`, messageId: null };
}

/** Stores a received message (committed before the listener answers 250). A duplicate is not stored again. */
export async function storeInbound(sql: Sql, m: { raw: Buffer; mailFrom: string; rcptTo: string[]; clientAddress: string }): Promise<{ id: string; duplicate: boolean }> {
  const { key, messageId } = dedupeKeyOf(m.raw);
  const id = randomUUID();
  const inserted = await sql<{ id: string }[]>`
    insert into inbound_messages (id, dedupe_key, message_id, raw, mail_from, rcpt_to, client_address)
    values (${id}, ${key}, ${messageId}, ${m.raw}, ${m.mailFrom}, ${m.rcptTo}, ${m.clientAddress})
    on conflict (dedupe_key) do nothing
    returning id`;
  if (inserted.length > 0) return { id, duplicate: false };
  const [existing] = await sql<{ id: string }[]>`select id from inbound_messages where dedupe_key = ${key}`;
  return { id: existing!.id, duplicate: true };
}

/** Takes the next message due for processing, with a lease, or null (FOR UPDATE SKIP LOCKED: replicas share the work). */
export async function claimNext(sql: Sql, leaseMs: number): Promise<InboundRow | null> {
  const [row] = await sql<InboundRow[]>`
    update inbound_messages set claimed_until = now() + ${leaseMs} * interval '1 millisecond', attempts = attempts + 1
    where id = (
      select id from inbound_messages
      where status = 'received' and next_attempt_at <= now() and (claimed_until is null or claimed_until < now())
      order by received_at
      for update skip locked
      limit 1)
    returning *`;
  return row ?? null;
}

export interface Outcome {
  status: Exclude<InboundStatus, 'received'>;
  outcome: string;
  ticketId?: string | null;
  ticketNumber?: string | null;
  sender?: string | null;
  subject?: string | null;
  attachmentCount?: number;
}

export async function finish(sql: Sql, id: string, o: Outcome): Promise<void> {
  await sql`
    update inbound_messages set status = ${o.status}, outcome = ${o.outcome}, ticket_id = ${o.ticketId ?? null}, ticket_number = ${o.ticketNumber ?? null},
      sender = ${o.sender ?? null}, subject = ${o.subject ?? null}, attachment_count = ${o.attachmentCount ?? 0},
      claimed_until = null, processed_at = now()
    where id = ${id}`;
}

/** A failed attempt: retried after the next delay, or marked failed once the attempts are spent. */
export async function retryLater(sql: Sql, row: Pick<InboundRow, 'id' | 'attempts'>, error: string, opts: { maxAttempts: number; delaysMs: number[] }): Promise<'retry' | 'failed'> {
  if (row.attempts >= opts.maxAttempts) {
    await sql`update inbound_messages set status = 'failed', outcome = 'processing failed; see last_error', last_error = ${error}, claimed_until = null, processed_at = now() where id = ${row.id}`;
    return 'failed';
  }
  const delay = opts.delaysMs[Math.min(row.attempts - 1, opts.delaysMs.length - 1)] ?? 5000;
  await sql`
    update inbound_messages set last_error = ${error}, claimed_until = null, next_attempt_at = now() + ${delay} * interval '1 millisecond'
    where id = ${row.id}`;
  return 'retry';
}

/**
 * Claims the automatic answer to one message, at most once: true when this call may send it.
 * `false` when it was claimed before (a retry) or the sender had one within the window (rate limit).
 */
export async function claimReply(sql: Sql, r: { inboundId: string; recipient: string; kind: 'unknown_sender' | 'ticket_closed' | 'not_allowed' | 'files_refused'; windowMinutes: number }): Promise<boolean> {
  return sql.begin(async (tx) => {
    // One sender's answers are decided one at a time, so two mails at once still get one answer.
    await tx`select pg_advisory_xact_lock(hashtext(${`inbound-reply:${r.recipient.toLowerCase()}`}))`;
    const [recent] = await tx<{ n: number }[]>`
      select count(*)::int as n from inbound_replies
      where lower(recipient) = lower(${r.recipient}) and kind = ${r.kind} and sent_at > now() - ${r.windowMinutes} * interval '1 minute'`;
    if ((recent?.n ?? 0) > 0) return false;
    const inserted = await tx`insert into inbound_replies (inbound_id, recipient, kind) values (${r.inboundId}, ${r.recipient}, ${r.kind}) on conflict do nothing`;
    return inserted.count > 0;
  });
}

/** Gives a claimed answer back when sending it failed, so the retry sends it. */
export async function releaseReply(sql: Sql, inboundId: string): Promise<void> {
  await sql`delete from inbound_replies where inbound_id = ${inboundId}`;
}

export interface InboundListItem {
  id: string;
  receivedAt: string;
  status: InboundStatus;
  outcome: string | null;
  sender: string | null;
  subject: string | null;
  ticketNumber: string | null;
  attachmentCount: number;
}

export async function listInbound(sql: Sql, q: { status?: InboundStatus; limit: number }): Promise<InboundListItem[]> {
  const rows = await sql<InboundRow[]>`
    select id, received_at, status, outcome, sender, subject, ticket_number, attachment_count from inbound_messages
    where ${q.status ? sql`status = ${q.status}` : sql`true`}
    order by received_at desc limit ${q.limit}`;
  return rows.map((r) => ({
    id: r.id,
    receivedAt: r.received_at.toISOString(),
    status: r.status,
    outcome: r.outcome,
    sender: r.sender,
    subject: r.subject,
    ticketNumber: r.ticket_number,
    attachmentCount: r.attachment_count,
  }));
}
