/**
 * ticket_attachments (migrations/007_attachments.sql): the rows that lead to attachment objects in
 * the object store. A row is `pending` from before its object is put until the put succeeded; only
 * `stored` rows are listed or served. docs/decisions/0037.
 */
import type { Attachment, AttachmentContentType, EventEnvelope } from '@tierline/contracts';
import { eventOutbox, type Sql } from '@tierline/platform';
import type { Db } from './tickets.js';

/** Attachment events leave through this outbox, written with the change (see the migration). */
export const attachmentOutbox = eventOutbox('attachment_outbox');

interface AttachmentRow {
  id: string;
  ticket_id: string;
  object_key: string;
  file_name: string;
  content_type: AttachmentContentType;
  size_bytes: string | number;
  uploaded_by: string;
  created_at: Date;
  vendor_visible: boolean;
}

export interface StoredAttachment extends Attachment {
  objectKey: string;
}

const toAttachment = (r: AttachmentRow): StoredAttachment => ({
  id: r.id,
  ticketId: r.ticket_id,
  fileName: r.file_name,
  contentType: r.content_type,
  sizeBytes: Number(r.size_bytes),
  uploadedBy: r.uploaded_by,
  uploadedAt: r.created_at.toISOString(),
  vendorVisible: r.vendor_visible,
  objectKey: r.object_key,
});

export interface NewAttachment {
  id: string;
  ticketId: string;
  objectKey: string;
  fileName: string;
  contentType: AttachmentContentType;
  sizeBytes: number;
  sha256: string;
  uploadedBy: string;
  uploadedByRole: string;
  vendorVisible: boolean;
}

/**
 * Writes the pending row, unless the ticket already has `maxPerTicket` attachments (pending ones
 * count: they may yet be stored). The ticket's row is locked while counting, so two uploads at once
 * cannot both take the last place. `missing` when there is no such ticket.
 */
export async function insertPendingAttachment(sql: Sql, a: NewAttachment, maxPerTicket: number): Promise<'ok' | 'full' | 'missing' | 'exists'> {
  return sql.begin(async (tx) => {
    const [ticket] = await tx`select id from tickets where id = ${a.ticketId} for update`;
    if (!ticket) return 'missing' as const;
    // A caller that names its attachment (one file of one mail) may come again: its row is there.
    const [same] = await tx`select 1 from ticket_attachments where id = ${a.id}`;
    if (same) return 'exists' as const;
    const [count] = await tx<{ n: number }[]>`select count(*)::int as n from ticket_attachments where ticket_id = ${a.ticketId} and state <> 'abandoned'`;
    if ((count?.n ?? 0) >= maxPerTicket) return 'full' as const;
    await tx`
      insert into ticket_attachments (id, ticket_id, object_key, file_name, content_type, size_bytes, sha256, uploaded_by, uploaded_by_role, vendor_visible)
      values (${a.id}, ${a.ticketId}, ${a.objectKey}, ${a.fileName}, ${a.contentType}, ${a.sizeBytes}, ${a.sha256}, ${a.uploadedBy}, ${a.uploadedByRole}, ${a.vendorVisible})`;
    return 'ok' as const;
  });
}

/**
 * The object is in the store: the row becomes visible, and its event goes into the outbox in the
 * same transaction. False when the row is gone (the sweeper took it as abandoned): the caller then
 * removes the object it put.
 */
export async function markAttachmentStored(sql: Sql, id: string, event: EventEnvelope): Promise<boolean> {
  return sql.begin(async (tx) => {
    const r = await tx`update ticket_attachments set state = 'stored', stored_at = now() where id = ${id} and state = 'pending'`;
    if (r.count === 0) return false;
    await attachmentOutbox.add(tx, event);
    return true;
  });
}

/** Where an attachment's row is (any state), or null: how a named upload that came again resumes. */
export async function attachmentState(sql: Db, id: string): Promise<{ ticketId: string; state: 'pending' | 'stored' | 'abandoned' } | null> {
  const [row] = await sql<{ ticket_id: string; state: 'pending' | 'stored' | 'abandoned' }[]>`select ticket_id, state from ticket_attachments where id = ${id}`;
  return row ? { ticketId: row.ticket_id, state: row.state } : null;
}

/** The ticket's stored attachments, oldest first; with `vendor`, only those marked for the vendor. */
export async function listAttachments(sql: Db, ticketId: string, opts: { vendor: boolean }): Promise<StoredAttachment[]> {
  const rows = await sql<AttachmentRow[]>`
    select * from ticket_attachments
    where ticket_id = ${ticketId} and state = 'stored' ${opts.vendor ? sql`and vendor_visible` : sql``}
    order by created_at, id`;
  return rows.map(toAttachment);
}

/** One stored attachment of the ticket, or null. */
export async function findAttachment(sql: Db, ticketId: string, id: string): Promise<StoredAttachment | null> {
  const [row] = await sql<AttachmentRow[]>`
    select * from ticket_attachments where id = ${id} and ticket_id = ${ticketId} and state = 'stored'`;
  return row ? toAttachment(row) : null;
}

/**
 * Marks whether the vendor may see the attachment, with its event in the same transaction.
 * The attachment as it is now, `changed` false when it already was so; null when there is none.
 */
export async function setAttachmentVendorVisible(
  sql: Sql,
  ticketId: string,
  id: string,
  vendorVisible: boolean,
  event: (a: StoredAttachment) => EventEnvelope,
): Promise<{ attachment: StoredAttachment; changed: EventEnvelope | null } | null> {
  return sql.begin(async (tx) => {
    const [row] = await tx<AttachmentRow[]>`
      select * from ticket_attachments where id = ${id} and ticket_id = ${ticketId} and state = 'stored' for update`;
    if (!row) return null;
    if (row.vendor_visible === vendorVisible) return { attachment: toAttachment(row), changed: null };
    const attachment = toAttachment({ ...row, vendor_visible: vendorVisible });
    await tx`update ticket_attachments set vendor_visible = ${vendorVisible} where id = ${id}`;
    const e = event(attachment);
    await attachmentOutbox.add(tx, e);
    return { attachment, changed: e };
  });
}

/**
 * Claims the pending rows older than the cut-off (uploads that died between their row and their
 * commit, or that are still running far too long) and the rows claimed before by a sweep that did
 * not finish: they become `abandoned`, so a late upload can no longer mark them stored. The caller
 * removes each one's object, then the row (deleteAbandonedAttachment).
 */
export async function claimAbandonedAttachments(sql: Db, olderThan: Date, limit = 100): Promise<{ id: string; objectKey: string }[]> {
  const rows = await sql<{ id: string; object_key: string }[]>`
    update ticket_attachments set state = 'abandoned'
    where id in (
      select id from ticket_attachments
      where (state = 'pending' and created_at < ${olderThan}) or state = 'abandoned'
      order by created_at limit ${limit}
      for update skip locked)
    returning id, object_key`;
  return rows.map((r) => ({ id: r.id, objectKey: r.object_key }));
}

/** Removes an abandoned row, once its object is gone. */
export async function deleteAbandonedAttachment(sql: Db, id: string): Promise<boolean> {
  const r = await sql`delete from ticket_attachments where id = ${id} and state = 'abandoned'`;
  return r.count > 0;
}
