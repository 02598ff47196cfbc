import type { Ticket } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';

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

export async function findTicket(sql: Sql, id: string): Promise<Ticket | null> {
  const [row] = await sql<TicketRow[]>`select * from tickets where id = ${id}`;
  return row ? rowToTicket(row) : null;
}

export async function findByIdempotencyKey(sql: Sql, requesterId: string, key: string): Promise<Ticket | null> {
  const [row] = await sql<TicketRow[]>`select * from tickets where requester_id = ${requesterId} and idempotency_key = ${key}`;
  return row ? rowToTicket(row) : null;
}
