import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { AppError, hasRole } from '@tierline/platform';
import { slaReport, type SlaFacts } from '@tierline/ticket-store';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse } from './common.js';

/**
 * Reports are for the people who answer for the service level: IT leads, and auditors who check
 * it. They carry counts and durations only, never a ticket's words, so reading them is not an
 * audited read of ticket content.
 */
export const reportReaders = createMiddleware<TicketAppEnv>(async (c, next) => {
  if (!hasRole(c.get('actor'), 'it_lead', 'auditor')) throw new AppError('FORBIDDEN', 'reports are for IT leads and auditors');
  await next();
});

const GROUPS = ['priority', 'site', 'vendor', 'month', 'week'] as const;

/** An IANA time zone, e.g. America/New_York. */
export const TimeZoneSchema = z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone, e.g. America/New_York');

const PeriodSchema = z.object({
  from: z.iso.datetime({ offset: true }).openapi({ description: 'Tickets opened at or after this instant.' }),
  to: z.iso.datetime({ offset: true }).openapi({ description: 'Tickets opened before this instant.' }),
});

/** A period of at most 400 days, `to` after `from`. */
export function refinePeriod<T extends z.ZodType<{ from: string; to: string }>>(schema: T) {
  return schema
    .refine((q) => Date.parse(q.from) < Date.parse(q.to), { path: ['to'], message: 'must be after from' })
    .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 400 * 24 * 3600 * 1000, { path: ['to'], message: 'a report covers at most 400 days' });
}

/** The report's query: the JSON report and its CSV export take the same. */
export const SlaQuerySchema = refinePeriod(
  PeriodSchema.extend({
    groupBy: z.enum(GROUPS).default('priority'),
    timeZone: TimeZoneSchema.default('UTC').openapi({ description: 'For groupBy=month or week: whose calendar months and ISO weeks.' }),
  }),
);

/** The weekly trend's query. */
export const WeeklyQuerySchema = refinePeriod(
  PeriodSchema.extend({ timeZone: TimeZoneSchema.default('UTC').openapi({ description: 'Whose ISO weeks (Monday to Sunday): the clinic’s time zone.' }) }),
);

export const SlaReportRowSchema = z
  .object({
    key: z.string().openapi({ description: 'The priority, site id, vendor organisation ("none": never with a vendor), month (YYYY-MM) or ISO week (2026-W49).' }),
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
  request: { query: SlaQuerySchema },
  responses: {
    200: { description: 'One row per group, and the total', content: { 'application/json': { schema: ReportSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

export function toRow(r: SlaFacts): z.infer<typeof SlaReportRowSchema> {
  const round = (n: number | null) => (n === null ? null : Math.round(Number(n) * 10) / 10);
  return {
    key: r.key,
    tickets: r.tickets,
    acknowledged: r.acknowledged,
    mttaMinutes: round(r.mttaMinutes),
    resolved: r.resolved,
    mttrMinutes: round(r.mttrMinutes),
    breachedResponse: r.breachedResponse,
    breachedResolution: r.breachedResolution,
    breachedVendor: r.breachedVendor,
    slaCompliancePercent: r.tickets === 0 ? null : round((100 * r.compliant) / r.tickets),
    escalationsByTier: { tier2: r.tier2, tier3: r.tier3 },
  };
}

export function registerSlaReport(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(slaReportRoute, async (c) => {
    const q = c.req.valid('query');
    const report = await slaReport(c.get('deps').sql, q);
    return c.json({ from: q.from, to: q.to, groupBy: q.groupBy, rows: report.groups.map(toRow), total: toRow(report.total) }, 200);
  });
}
