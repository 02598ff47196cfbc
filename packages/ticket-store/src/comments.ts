/**
 * ticket_comments (migrations/001_tickets.sql, 006_ticket_notes.sql): comments and the free text of
 * actions (a hand-off note, a reason), stored once with the ticket; events carry only their id.
 * The worker's recordTicketEvent writes them; the ticket API reads them.
 */
import type { Db } from './tickets.js';

export interface StoredComment<K extends string = string> {
  id: string;
  authorId: string;
  authorRole: string;
  visibility: 'public' | 'internal';
  body: string;
  createdAt: string;
  /** comment, or the action whose text it is (NOTE_KINDS of the workflow definitions). */
  kind: K;
}

/** Idempotent on the comment id: a retry writes nothing. */
export async function insertComment(sql: Db, ticketId: string, c: StoredComment): Promise<void> {
  await sql`
    insert into ticket_comments (id, ticket_id, author_id, author_role, visibility, body, created_at, kind)
    values (${c.id}, ${ticketId}, ${c.authorId}, ${c.authorRole}, ${c.visibility}, ${c.body}, ${c.createdAt}, ${c.kind})
    on conflict (id) do nothing`;
}

/**
 * A ticket's comments, oldest first. `internal`: internal ones too. `vendor`: a vendor's view — only
 * hand-off notes and what vendors wrote (whatever their visibility).
 */
export async function listComments<K extends string = string>(sql: Db, ticketId: string, opts: { internal: boolean; vendor: boolean }): Promise<StoredComment<K>[]> {
  const rows = await sql<{ id: string; author_id: string; author_role: string; visibility: 'public' | 'internal'; kind: K; body: string; created_at: Date }[]>`
    select id, author_id, author_role, visibility, kind, body, created_at from ticket_comments
    where ticket_id = ${ticketId}
      and (${opts.internal} or visibility = 'public' or ${opts.vendor})
      and (not ${opts.vendor} or kind = 'handoff_note' or author_role = 'vendor')
    order by created_at, id`;
  return rows.map((r) => ({ id: r.id, authorId: r.author_id, authorRole: r.author_role, visibility: r.visibility, kind: r.kind, body: r.body, createdAt: r.created_at.toISOString() }));
}
