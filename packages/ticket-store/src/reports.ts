/**
 * The service-level report's one query over tickets and ticket_timeline. Counts and durations
 * only, never a ticket's words.
 */
import type { Sql } from '@tierline/platform';

export type SlaGroupBy = 'priority' | 'site' | 'vendor' | 'month' | 'week';

/** One group's raw figures (the API rounds them and derives the compliance share). */
export interface SlaFacts {
  key: string;
  tickets: number;
  acknowledged: number;
  /** Mean minutes from opening to acknowledgement (wall clock); null when none was acknowledged. */
  mttaMinutes: number | null;
  resolved: number;
  mttrMinutes: number | null;
  breachedResponse: number;
  breachedResolution: number;
  breachedVendor: number;
  /** Tickets with no breach of any clock. */
  compliant: number;
  tier2: number;
  tier3: number;
}

interface Row {
  key: string;
  grouped: boolean;
  tickets: number;
  acknowledged: number;
  mtta_minutes: number | null;
  resolved: number;
  mttr_minutes: number | null;
  breached_response: number;
  breached_resolution: number;
  breached_vendor: number;
  compliant: number;
  tier2: number;
  tier3: number;
}

const toFacts = (r: Row, key = r.key): SlaFacts => ({
  key,
  tickets: r.tickets,
  acknowledged: r.acknowledged,
  mttaMinutes: r.mtta_minutes,
  resolved: r.resolved,
  mttrMinutes: r.mttr_minutes,
  breachedResponse: r.breached_response,
  breachedResolution: r.breached_resolution,
  breachedVendor: r.breached_vendor,
  compliant: r.compliant,
  tier2: r.tier2,
  tier3: r.tier3,
});

const NO_TICKETS: SlaFacts = { key: 'total', tickets: 0, acknowledged: 0, mttaMinutes: null, resolved: 0, mttrMinutes: null, breachedResponse: 0, breachedResolution: 0, breachedVendor: 0, compliant: 0, tier2: 0, tier3: 0 };

/**
 * The tickets opened in [from, to), grouped by priority, site, vendor organisation ('none': never
 * with a vendor), month (YYYY-MM in `timeZone`) or ISO week (IYYY-"W"IW, e.g. 2026-W49, in
 * `timeZone`), with the total over all of them. Breaches and
 * escalations (first firings) are counted from the workflow's own timeline events.
 */
export async function slaReport(
  sql: Sql,
  q: { from: string; to: string; groupBy: SlaGroupBy; timeZone: string },
): Promise<{ groups: SlaFacts[]; total: SlaFacts }> {
  const key =
    q.groupBy === 'priority'
      ? sql`priority`
      : q.groupBy === 'site'
        ? sql`site_id`
        : q.groupBy === 'vendor'
          ? sql`coalesce(vendor_org_id, 'none')`
          : q.groupBy === 'month'
            ? sql`to_char(created_at at time zone ${q.timeZone}, 'YYYY-MM')`
            : sql`to_char(created_at at time zone ${q.timeZone}, 'IYYY-"W"IW')`;
  // One pass over the period's tickets, with their breaches and escalations from the timeline
  // the workflow writes; grouping sets give the rows and the total in the same query.
  const rows = await sql<Row[]>`
    with t as (
      select id, ${key} as k, created_at, acknowledged_at, resolved_at
      from tickets where created_at >= ${q.from} and created_at < ${q.to}
    ),
    facts as (
      select ticket_id,
        count(*) filter (where type = 'ticket.sla_breached' and data->>'clock' = 'response') as response,
        count(*) filter (where type = 'ticket.sla_breached' and data->>'clock' = 'resolution') as resolution,
        count(*) filter (where type = 'ticket.sla_breached' and data->>'clock' like 'vendor%') as vendor,
        count(*) filter (where type = 'ticket.escalated' and (data->>'tier')::int = 2) as tier2,
        count(*) filter (where type = 'ticket.escalated' and (data->>'tier')::int = 3) as tier3
      from ticket_timeline
      where ticket_id in (select id from t) and type in ('ticket.sla_breached', 'ticket.escalated')
      group by ticket_id
    )
    select
      coalesce(t.k, 'total') as key,
      grouping(t.k) = 1 as grouped,
      count(*)::int as tickets,
      count(t.acknowledged_at)::int as acknowledged,
      (avg(extract(epoch from t.acknowledged_at - t.created_at)) / 60)::float8 as mtta_minutes,
      count(t.resolved_at)::int as resolved,
      (avg(extract(epoch from t.resolved_at - t.created_at)) / 60)::float8 as mttr_minutes,
      count(*) filter (where coalesce(f.response, 0) > 0)::int as breached_response,
      count(*) filter (where coalesce(f.resolution, 0) > 0)::int as breached_resolution,
      count(*) filter (where coalesce(f.vendor, 0) > 0)::int as breached_vendor,
      count(*) filter (where coalesce(f.response, 0) + coalesce(f.resolution, 0) + coalesce(f.vendor, 0) = 0)::int as compliant,
      coalesce(sum(f.tier2), 0)::int as tier2,
      coalesce(sum(f.tier3), 0)::int as tier3
    from t left join facts f on f.ticket_id = t.id
    group by grouping sets ((t.k), ())
    order by grouped, key`;
  const totalRow = rows.find((r) => r.grouped);
  return { groups: rows.filter((r) => !r.grouped).map((r) => toFacts(r)), total: totalRow ? toFacts(totalRow, 'total') : NO_TICKETS };
}
