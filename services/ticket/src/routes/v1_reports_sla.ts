import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { AppError, hasRole } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse } from './common.js';

/**
 * Reports are for the people who answer for the service level: IT leads, and auditors who check
 * it. They carry counts and durations only, never a ticket's words, so reading them is not an
 * audited read of ticket content.
 */
const reportReaders = createMiddleware<TicketAppEnv>(async (c, next) => {
  if (!hasRole(c.get('actor'), 'it_lead', 'auditor')) throw new AppError('FORBIDDEN', 'reports are for IT leads and auditors');
  await next();
});

const GROUPS = ['priority', 'site', 'vendor', 'month'] as const;

const QuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).openapi({ description: 'Tickets opened at or after this instant.' }),
    to: z.iso.datetime({ offset: true }).openapi({ description: 'Tickets opened before this instant.' }),
    groupBy: z.enum(GROUPS).default('priority'),
    timeZone: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone, e.g. America/New_York')
      .default('UTC')
      .openapi({ description: 'For groupBy=month: whose calendar months.' }),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { path: ['to'], message: 'must be after from' })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 400 * 24 * 3600 * 1000, { path: ['to'], message: 'a report covers at most 400 days' });

export const SlaReportRowSchema = z
  .object({
    key: z.string().openapi({ description: 'The priority, site id, vendor organisation ("none": never with a vendor) or month (YYYY-MM).' }),
    tickets: z.number().int(),
    acknowledged: z.number().int(),
    mttaMinutes: z.number().nullable().openapi({ description: 'Mean time from opening to acknowledgement, wall clock; null when none was acknowledged.' }),
    resolved: z.number().int(),
    mttrMinutes: z.number().nullable().openapi({ description: 'Mean time from opening to resolution, wall clock; null when none was resolved.' }),
    breachedResponse: z.number().int().openapi({ description: 'Tickets whose response target was breached.' }),
    breachedResolution: z.number().int().openapi({ description: 'Tickets whose resolution target was breached.' }),
    breachedVendor: z.number().int().openapi({ description: "Tickets whose vendor contract clock was breached." }),
    slaCompliancePercent: z.number().nullable().openapi({ description: 'Share of the tickets with no breach of any clock; null for no tickets.' }),
    escalationsByTier: z.object({ tier2: z.number().int(), tier3: z.number().int() }).openapi({ description: 'Escalations (first firings, not repeats) that reached each tier.' }),
  })
  .openapi('SlaReportRow');

const ReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(GROUPS),
    rows: z.array(SlaReportRowSchema),
    total: SlaReportRowSchema,
  })
  .openapi('SlaReport');

export const slaReportRoute = createRoute({
  method: 'get',
  path: '/api/v1/reports/sla',
  tags: ['Reports'],
  summary: 'Service level by priority, site, vendor or month: MTTA, MTTR, breaches, compliance, escalations per tier',
  description:
    'Over the tickets opened in [from, to). Times are wall-clock minutes from opening (the SLA clocks themselves run on the ' +
    "policies' calendars, and their breaches are counted from the workflow's own `ticket.sla_breached` events). IT leads and auditors.",
  security: [{ bearerAuth: [] }],
  middleware: [reportReaders] as const,
  request: { query: QuerySchema },
  responses: {
    200: { description: 'One row per group, and the total', content: { 'application/json': { schema: ReportSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

interface Row {
  key: string;
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

function toRow(r: Row): z.infer<typeof SlaReportRowSchema> {
  const round = (n: number | null) => (n === null ? null : Math.round(Number(n) * 10) / 10);
  return {
    key: r.key,
    tickets: r.tickets,
    acknowledged: r.acknowledged,
    mttaMinutes: round(r.mtta_minutes),
    resolved: r.resolved,
    mttrMinutes: round(r.mttr_minutes),
    breachedResponse: r.breached_response,
    breachedResolution: r.breached_resolution,
    breachedVendor: r.breached_vendor,
    slaCompliancePercent: r.tickets === 0 ? null : round((100 * r.compliant) / r.tickets),
    escalationsByTier: { tier2: r.tier2, tier3: r.tier3 },
  };
}

export function registerSlaReport(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(slaReportRoute, async (c) => {
    const { sql } = c.get('deps');
    const q = c.req.valid('query');
    const key =
      q.groupBy === 'priority'
        ? sql`priority`
        : q.groupBy === 'site'
          ? sql`site_id`
          : q.groupBy === 'vendor'
            ? sql`coalesce(vendor_org_id, 'none')`
            : sql`to_char(created_at at time zone ${q.timeZone}, 'YYYY-MM')`;
    // One pass over the period's tickets, with their breaches and escalations from the timeline
    // the workflow writes; grouping sets give the rows and the total in the same query.
    const rows = await sql<(Row & { grouped: boolean })[]>`
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
    const groups = rows.filter((r) => !r.grouped).map(toRow);
    const totalRow = rows.find((r) => r.grouped);
    const total = totalRow
      ? toRow({ ...totalRow, key: 'total' })
      : toRow({ key: 'total', tickets: 0, acknowledged: 0, mtta_minutes: null, resolved: 0, mttr_minutes: null, breached_response: 0, breached_resolution: 0, breached_vendor: 0, compliant: 0, tier2: 0, tier3: 0 });
    return c.json({ from: q.from, to: q.to, groupBy: q.groupBy, rows: groups, total }, 200);
  });
}
