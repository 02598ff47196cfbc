/**
 * The tickets a policy what-if replays: each ticket opened in a period, as it opened (priority and
 * policy version from its `ticket.created` event, which the workflow writes before anything else)
 * and the timeline entries a replay reads — what people did and what the workflow fired. Event
 * types and facts only, never a ticket's words.
 */
import type { Sql } from '@tierline/platform';

/** The entry types a replay reads: the human actions it applies and the firings it compares with. */
export const REPLAY_TIMELINE_TYPES = [
  'ticket.created',
  'ticket.acknowledged',
  'ticket.waiting_on_requester',
  'ticket.resumed',
  'ticket.commented',
  'ticket.handed_to_vendor',
  'ticket.vendor_acknowledged',
  'ticket.resolved',
  'ticket.reopened',
  'ticket.closed',
  'ticket.priority_changed',
  'ticket.escalated',
  'ticket.escalation_repeated',
  'ticket.sla_breached',
] as const;

export interface TicketHistory {
  id: string;
  number: string;
  siteId: string;
  category: string;
  /** The priority it opened with (the row's own priority when the created event is missing). */
  openingPriority: string;
  openingPolicyVersion: number;
  openedAt: string;
  /** Oldest first, the created event included. */
  timeline: { type: string; occurredAt: string; data: Record<string, unknown> }[];
}

interface Row {
  id: string;
  number: string;
  site_id: string;
  category: string;
  priority: string;
  policy_version: number;
  created_at: Date;
  timeline: { type: string; occurredAt: string; data: Record<string, unknown> }[] | null;
}

/** The tickets opened in [from, to), oldest first, with the timeline entries a replay reads. */
export async function ticketHistories(sql: Sql, q: { from: string; to: string }): Promise<TicketHistory[]> {
  const rows = await sql<Row[]>`
    select t.id, t.number, t.site_id, t.category, t.priority, t.policy_version, t.created_at,
      (select json_agg(json_build_object(
           'type', e.type,
           'occurredAt', to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'data', e.data) order by e.occurred_at, e.event_id)
         from ticket_timeline e
         where e.ticket_id = t.id and e.type in ${sql([...REPLAY_TIMELINE_TYPES])}) as timeline
    from tickets t
    where t.created_at >= ${q.from} and t.created_at < ${q.to}
    order by t.created_at, t.id`;
  return rows.map((r) => {
    const timeline = r.timeline ?? [];
    const created = timeline.find((e) => e.type === 'ticket.created');
    return {
      id: r.id,
      number: r.number,
      siteId: r.site_id,
      category: r.category,
      openingPriority: typeof created?.data.priority === 'string' ? created.data.priority : r.priority,
      openingPolicyVersion: typeof created?.data.policyVersion === 'number' ? created.data.policyVersion : r.policy_version,
      openedAt: r.created_at.toISOString(),
      timeline,
    };
  });
}
