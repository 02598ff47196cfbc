/**
 * The tickets table (migrations/001_tickets.sql, 002_escalation_read_model.sql): the read model the
 * ticket API answers from. The API inserts a ticket's row when it opens it; from then on the
 * worker's activities are its one writer (recordTicketOpened, recordTicketEvent).
 */
import type { Ticket } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';
import type { TransactionSql } from 'postgres';

/** Where a statement runs: the pool, or the caller's transaction. */
export type Db = Sql | TransactionSql;

export const CLOSED_STATUSES: string[] = ['resolved', 'closed'];

export interface TicketRow {
  id: string;
  number: string;
  title: string;
  description: string;
  category: string;
  site_id: string;
  requester_id: string;
  impact: Ticket['impact'];
  urgency: Ticket['urgency'];
  patient_care_affected: boolean;
  priority: Ticket['priority'];
  status: Ticket['status'];
  tier: number;
  policy_version: number;
  workflow_id: string;
  team_id: string | null;
  assignee_id: string | null;
  vendor_org_id: string | null;
  major_incident: boolean;
  incident_parent_id: string | null;
  escalation_level: number;
  next_deadline_at: Date | null;
  next_deadline_kind: string | null;
  sla_at_risk: boolean;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function rowToTicket(r: TicketRow): Ticket {
  return {
    id: r.id,
    number: r.number,
    title: r.title,
    description: r.description,
    category: r.category,
    siteId: r.site_id,
    requesterId: r.requester_id,
    impact: r.impact,
    urgency: r.urgency,
    patientCareAffected: r.patient_care_affected,
    priority: r.priority,
    status: r.status,
    tier: r.tier,
    policyVersion: r.policy_version,
    workflowId: r.workflow_id,
    teamId: r.team_id,
    assigneeId: r.assignee_id,
    vendorOrgId: r.vendor_org_id,
    majorIncident: r.major_incident,
    incidentParentId: r.incident_parent_id,
    escalationLevel: r.escalation_level,
    nextDeadlineAt: r.next_deadline_at?.toISOString() ?? null,
    nextDeadlineKind: r.next_deadline_kind,
    slaAtRisk: r.sla_at_risk,
    acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    closedAt: r.closed_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function findTicket(sql: Db, id: string): Promise<Ticket | null> {
  const [row] = await sql<TicketRow[]>`select * from tickets where id = ${id}`;
  return row ? rowToTicket(row) : null;
}

/** By its number (IT-1042), as a reply address names it; numbers are unique. */
export async function findTicketByNumber(sql: Db, number: string): Promise<Ticket | null> {
  const [row] = await sql<TicketRow[]>`select * from tickets where number = ${number}`;
  return row ? rowToTicket(row) : null;
}

export async function findByIdempotencyKey(sql: Db, requesterId: string, key: string): Promise<Ticket | null> {
  const [row] = await sql<TicketRow[]>`select * from tickets where requester_id = ${requesterId} and idempotency_key = ${key}`;
  return row ? rowToTicket(row) : null;
}

export interface NewTicket {
  id: string;
  title: string;
  description: string;
  category: string;
  siteId: string;
  requesterId: string;
  impact: Ticket['impact'];
  urgency: Ticket['urgency'];
  patientCareAffected: boolean;
  priority: Ticket['priority'];
  policyVersion: number;
  workflowId: string;
  idempotencyKey: string | null;
}

/**
 * The row of a ticket the API opens: status new, tier 1, numbered IT-<n> from the sequence. Run it
 * in the transaction that also starts the ticket's workflow, so neither exists without the other.
 */
export async function insertTicket(tx: TransactionSql, t: NewTicket): Promise<Ticket> {
  const [{ n }] = (await tx`select nextval('ticket_number_seq')::int as n`) as unknown as [{ n: number }];
  const [row] = await tx<TicketRow[]>`
    insert into tickets (id, number, title, description, category, site_id, requester_id, impact, urgency,
      patient_care_affected, priority, status, tier, policy_version, workflow_id, idempotency_key)
    values (${t.id}, ${`IT-${n}`}, ${t.title}, ${t.description}, ${t.category}, ${t.siteId}, ${t.requesterId},
      ${t.impact}, ${t.urgency}, ${t.patientCareAffected}, ${t.priority}, 'new', 1, ${t.policyVersion}, ${t.workflowId},
      ${t.idempotencyKey})
    returning *`;
  return rowToTicket(row!);
}

/**
 * Writes a ticket's row as the workflow knows it, unless it is there already (the API wrote it;
 * this restores it after a crash between the workflow's start and the API's commit).
 */
export async function insertTicketIfAbsent(sql: Db, t: Ticket): Promise<void> {
  await sql`
    insert into tickets (id, number, title, description, category, site_id, requester_id, impact, urgency,
      patient_care_affected, priority, status, tier, policy_version, workflow_id, created_at, updated_at)
    values (${t.id}, ${t.number}, ${t.title}, ${t.description}, ${t.category}, ${t.siteId}, ${t.requesterId},
      ${t.impact}, ${t.urgency}, ${t.patientCareAffected}, ${t.priority}, ${t.status}, ${t.tier},
      ${t.policyVersion}, ${t.workflowId}, ${t.createdAt}, ${t.updatedAt})
    on conflict (id) do nothing`;
}

/** Columns of the ticket read model that the workflow keeps current. */
export interface ReadModelPatch {
  status?: string;
  priority?: string;
  tier?: number;
  teamId?: string | null;
  assigneeId?: string | null;
  vendorOrgId?: string | null;
  escalationLevel?: number;
  policyVersion?: number;
  nextDeadlineAt?: string | null;
  nextDeadlineKind?: string | null;
  slaAtRisk?: boolean;
  acknowledgedAt?: string | null;
  resolvedAt?: string | null;
  closedAt?: string | null;
  majorIncident?: boolean;
  incidentParentId?: string | null;
}

const PATCH_COLUMNS: Record<keyof ReadModelPatch, string> = {
  status: 'status',
  priority: 'priority',
  tier: 'tier',
  teamId: 'team_id',
  assigneeId: 'assignee_id',
  vendorOrgId: 'vendor_org_id',
  escalationLevel: 'escalation_level',
  policyVersion: 'policy_version',
  nextDeadlineAt: 'next_deadline_at',
  nextDeadlineKind: 'next_deadline_kind',
  slaAtRisk: 'sla_at_risk',
  acknowledgedAt: 'acknowledged_at',
  resolvedAt: 'resolved_at',
  closedAt: 'closed_at',
  majorIncident: 'major_incident',
  incidentParentId: 'incident_parent_id',
};

/**
 * Sets the patch's columns (and updated_at) on the ticket's row. 'missing': there is no such row;
 * 'empty': the patch named no column, nothing was written.
 *
 * `rev` is the patch's revision (decision 39): the workflow numbers every patch it builds, the row
 * keeps the number of the one it shows, and a patch is written only when its number is higher.
 * 'stale': the row already shows this patch or a newer one (a late or retried activity), nothing
 * was written, and that is not an error. Without `rev` the patch is written whatever the row shows
 * (patches scheduled before revisions existed) and the row's revision stays as it is.
 */
export async function applyReadModelPatch(
  sql: Db,
  ticketId: string,
  patch: ReadModelPatch,
  rev?: number,
): Promise<'updated' | 'missing' | 'empty' | 'stale'> {
  const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof ReadModelPatch, unknown][];
  if (entries.length === 0) return 'empty';
  const row: Record<string, unknown> = { updated_at: new Date() };
  for (const [k, v] of entries) row[PATCH_COLUMNS[k]] = v;
  if (rev === undefined) {
    const result = await sql`update tickets set ${sql(row as Record<string, string>)} where id = ${ticketId}`;
    return result.count === 0 ? 'missing' : 'updated';
  }
  if (!Number.isSafeInteger(rev) || rev < 1) throw new RangeError(`read-model revision must be a whole number from 1, got ${rev}`);
  row.read_model_rev = rev;
  // Under read committed, a concurrent writer's newer revision is seen once its lock is released:
  // PostgreSQL re-checks the condition on the row version it then updates.
  const result = await sql`
    update tickets set ${sql(row as Record<string, string>)} where id = ${ticketId} and read_model_rev < ${rev}`;
  if (result.count > 0) return 'updated';
  const [exists] = await sql`select 1 from tickets where id = ${ticketId}`;
  return exists ? 'stale' : 'missing';
}

/**
 * Which tickets a caller may list: all of them, or those of the given sites or requester (clinic
 * staff) and those handed to the given vendor organisation at tier 3 (a vendor). Who gets which
 * scope is the ticket service's access rule (access.ts); this only turns it into SQL.
 */
export type TicketListScope =
  | { kind: 'all' }
  | { kind: 'some'; staff?: { siteIds: string[]; requesterId: string }; vendorOrgId?: string };

export interface TicketListQuery {
  status?: string[];
  priority?: string[];
  tier?: number[];
  siteId?: string;
  teamId?: string;
  assigneeId?: string;
  atRisk?: boolean;
  open?: boolean;
  /** next_deadline: soonest deadline first (none last), then id; newest: newest first, then id descending. */
  sort: 'next_deadline' | 'newest';
  /** Keyset position of the page before: its last ticket's sort key (an instant, null = no deadline) and id. */
  after?: { k: string | null; id: string };
  limit: number;
}

/** One page of tickets; `more` when tickets follow it. */
export async function listTickets(sql: Sql, scope: TicketListScope, q: TicketListQuery): Promise<{ items: Ticket[]; more: boolean }> {
  const conds = [visibility(sql, scope)];
  if (q.status) conds.push(sql`status = any(${q.status})`);
  if (q.priority) conds.push(sql`priority = any(${q.priority})`);
  if (q.tier) conds.push(sql`tier = any(${q.tier})`);
  if (q.siteId) conds.push(sql`site_id = ${q.siteId}`);
  if (q.teamId) conds.push(sql`team_id = ${q.teamId}`);
  if (q.assigneeId) conds.push(sql`assignee_id = ${q.assigneeId}`);
  if (q.atRisk !== undefined) conds.push(sql`sla_at_risk = ${q.atRisk}`);
  if (q.open !== undefined) conds.push(q.open ? sql`status not in ${sql(CLOSED_STATUSES)}` : sql`status in ${sql(CLOSED_STATUSES)}`);

  const byDeadline = q.sort === 'next_deadline';
  const cur = q.after;
  if (cur) {
    if (byDeadline) {
      // Keyset over (next_deadline_at nulls last, id).
      conds.push(
        cur.k === null
          ? sql`(next_deadline_at is null and id > ${cur.id})`
          : sql`(next_deadline_at > ${cur.k} or (next_deadline_at = ${cur.k} and id > ${cur.id}) or next_deadline_at is null)`,
      );
    } else {
      // created_at holds milliseconds, as the cursor does (migrations/009).
      conds.push(sql`(created_at < ${cur.k} or (created_at = ${cur.k} and id < ${cur.id}))`);
    }
  }
  const where = conds.reduce((acc, cond) => sql`${acc} and ${cond}`);
  const order = byDeadline ? sql`next_deadline_at asc nulls last, id asc` : sql`created_at desc, id desc`;
  const rows = await sql<TicketRow[]>`select * from tickets where ${where} order by ${order} limit ${q.limit + 1}`;
  return { items: rows.slice(0, q.limit).map(rowToTicket), more: rows.length > q.limit };
}

function visibility(sql: Sql, scope: TicketListScope) {
  if (scope.kind === 'all') return sql`true`;
  const parts = [];
  if (scope.staff) parts.push(sql`(site_id = any(${scope.staff.siteIds}) or requester_id = ${scope.staff.requesterId})`);
  if (scope.vendorOrgId) parts.push(sql`(vendor_org_id = ${scope.vendorOrgId} and tier = 3)`);
  // An empty scope lists nothing (the service refuses such callers before asking).
  if (parts.length === 0) return sql`false`;
  return parts.length === 1 ? parts[0]! : sql`(${parts[0]!} or ${parts[1]!})`;
}
