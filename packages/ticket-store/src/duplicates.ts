/**
 * Likely duplicates (docs/decisions/0042): the open tickets a new report of a site and category
 * probably repeats, and the automatic links the policy's `duplicates.autoLink` asks for
 * (migrations/015_likely_duplicates.sql). Who sees what of a match is the ticket service's to
 * decide (routes/v1_tickets_likely_duplicates.ts); this only finds them.
 */
import type { Ticket } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';
import { rowToTicket, type Db, type TicketRow } from './tickets.js';

/** Why a ticket matches: an open major incident, or a P1/P2 opened within the window. */
export type DuplicateKind = 'major_incident' | 'recent_urgent';

export interface LikelyDuplicate {
  kind: DuplicateKind;
  ticket: Ticket;
}

export interface LikelyDuplicatesQuery {
  siteId: string;
  category: string;
  /** The policy's window for recent P1/P2 (duplicates.windowMinutes). */
  windowMinutes: number;
  /**
   * The ticket being looked at (IT's ticket page): it is left out, and the window ends when it was
   * opened, so only reports older than it count. Absent: a report about to be made, the window ends now.
   */
  ticket?: Pick<Ticket, 'id' | 'createdAt'>;
  limit?: number;
}

/**
 * Open major incidents of the site and category (oldest first: the one everyone links to), then
 * open P1/P2 of the window (newest first) that are not themselves a major incident's child (their
 * parent is the one to name). Resolved and closed tickets never match.
 */
export async function likelyDuplicates(sql: Db, q: LikelyDuplicatesQuery): Promise<LikelyDuplicate[]> {
  const until = q.ticket ? new Date(q.ticket.createdAt) : new Date();
  const since = new Date(until.getTime() - q.windowMinutes * 60_000);
  const exclude = q.ticket?.id ?? null;
  const rows = await sql<(TicketRow & { kind: DuplicateKind })[]>`
    select t.*, case when t.major_incident then 'major_incident' else 'recent_urgent' end as kind
    from tickets t
    where t.site_id = ${q.siteId} and t.category = ${q.category}
      and t.status not in ('resolved', 'closed')
      and (${exclude}::uuid is null or t.id <> ${exclude}::uuid)
      and (
        t.major_incident
        or (t.priority in ('P1', 'P2') and t.incident_parent_id is null and t.created_at >= ${since} and t.created_at < ${until})
      )
    order by t.major_incident desc,
      case when t.major_incident then t.created_at end asc,
      t.created_at desc
    limit ${q.limit ?? 5}`;
  return rows.map((r) => ({ kind: r.kind, ticket: rowToTicket(r) }));
}

/** The open major incident a new ticket of this site and category joins automatically: the oldest. */
export async function openMajorIncidentFor(sql: Db, siteId: string, category: string, excludeId?: string): Promise<Ticket | null> {
  const [row] = await sql<TicketRow[]>`
    select * from tickets
    where site_id = ${siteId} and category = ${category} and major_incident
      and status not in ('resolved', 'closed') and id <> ${excludeId ?? '00000000-0000-0000-0000-000000000000'}::uuid
    order by created_at asc, id
    limit 1`;
  return row ? rowToTicket(row) : null;
}

// ---------------------------------------------------------------------------------------------
// Automatic links: a row written with the ticket, sent to the parent's workflow until it answers.

export interface PendingAutoLink {
  childTicketId: string;
  parentTicketId: string;
  attempts: number;
  createdAt: string;
}

/** Records, in the transaction that opens `childTicketId`, that it is to be linked to `parentTicketId`. */
export async function addAutoLink(tx: Db, childTicketId: string, parentTicketId: string): Promise<void> {
  await tx`insert into incident_autolinks (child_ticket_id, parent_ticket_id) values (${childTicketId}, ${parentTicketId}) on conflict do nothing`;
}

/** Links not yet taken or refused, oldest first. */
export async function pendingAutoLinks(sql: Sql, limit = 100): Promise<PendingAutoLink[]> {
  const rows = await sql<{ child_ticket_id: string; parent_ticket_id: string; attempts: number; created_at: Date }[]>`
    select child_ticket_id, parent_ticket_id, attempts, created_at from incident_autolinks
    where done_at is null order by created_at, child_ticket_id limit ${limit}`;
  return rows.map((r) => ({ childTicketId: r.child_ticket_id, parentTicketId: r.parent_ticket_id, attempts: r.attempts, createdAt: r.created_at.toISOString() }));
}

/** The link's outcome: taken by the parent, refused for good, or (null) to be tried again. */
export async function recordAutoLinkAttempt(sql: Sql, childTicketId: string, outcome: 'linked' | 'refused' | null, error?: string): Promise<void> {
  await sql`
    update incident_autolinks set attempts = attempts + 1, last_error = ${error ?? null},
      done_at = case when ${outcome}::text is null then null else now() end, outcome = ${outcome}::text
    where child_ticket_id = ${childTicketId} and done_at is null`;
}

/** One automatic link's row, for tests and support. */
export async function findAutoLink(sql: Db, childTicketId: string): Promise<(PendingAutoLink & { outcome: 'linked' | 'refused' | null; lastError: string | null }) | null> {
  const [r] = await sql<{ child_ticket_id: string; parent_ticket_id: string; attempts: number; created_at: Date; outcome: 'linked' | 'refused' | null; last_error: string | null }[]>`
    select * from incident_autolinks where child_ticket_id = ${childTicketId}`;
  return r
    ? { childTicketId: r.child_ticket_id, parentTicketId: r.parent_ticket_id, attempts: r.attempts, createdAt: r.created_at.toISOString(), outcome: r.outcome, lastError: r.last_error }
    : null;
}
