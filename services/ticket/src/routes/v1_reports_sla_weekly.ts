import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { slaReport, type SlaFacts } from '@tierline/ticket-store';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse } from './common.js';
import { reportReaders, SlaReportRowSchema, toRow, WeeklyQuerySchema } from './v1_reports_sla.js';

const WeekSchema = z
  .object({
    week: z.string().openapi({ description: 'The ISO week (Monday to Sunday) in the query’s time zone.', example: '2026-W49' }),
    tickets: z.number().int(),
    mttaMinutes: z.number().nullable().openapi({ description: 'Mean minutes from opening to acknowledgement of the week’s tickets; null when none was acknowledged.' }),
    mttrMinutes: z.number().nullable().openapi({ description: 'Mean minutes from opening to resolution; null when none was resolved.' }),
    breached: z.number().int().openapi({ description: 'Tickets with a breach of any clock.' }),
    breachedResponse: z.number().int(),
    breachedResolution: z.number().int(),
    breachedVendor: z.number().int(),
  })
  .openapi('SlaWeek');

const WeeklySchema = z
  .object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    weeks: z.array(WeekSchema).openapi({ description: 'Every ISO week the period touches, oldest first; a week without tickets has zeros and nulls.' }),
    total: SlaReportRowSchema,
  })
  .openapi('SlaWeekly');

export const slaWeeklyRoute = createRoute({
  method: 'get',
  path: '/api/v1/reports/sla/weekly',
  tags: ['Reports'],
  summary: 'MTTA, MTTR and breaches week by week',
  description:
    'The tickets opened in [from, to), by the ISO week of their opening in `timeZone` (the clinic’s), with the total. Figures as in ' +
    '`GET /api/v1/reports/sla`. IT leads and auditors.',
  security: [{ bearerAuth: [] }],
  middleware: [reportReaders] as const,
  request: { query: WeeklyQuerySchema },
  responses: {
    200: { description: 'One entry per week, and the total', content: { 'application/json': { schema: WeeklySchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

/** The ISO week (2026-W49) of a calendar day given as YYYY-MM-DD. */
export function isoWeekOf(ymd: string): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  // The week's Thursday decides its year.
  const thursday = new Date(date.getTime() + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Every ISO week, in `timeZone`, that [from, to) touches, oldest first. */
export function weeksBetween(from: string, to: string, timeZone: string): string[] {
  const local = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const weeks: string[] = [];
  const end = Date.parse(to) - 1;
  // Half-day steps cannot skip a local day, whatever the DST shifts.
  for (let at = Date.parse(from); ; at = Math.min(at + 12 * 3600 * 1000, end)) {
    const w = isoWeekOf(local.format(at));
    if (weeks.at(-1) !== w) weeks.push(w);
    if (at >= end) break;
  }
  return weeks;
}

const round = (n: number | null) => (n === null ? null : Math.round(Number(n) * 10) / 10);

function toWeek(week: string, f: SlaFacts | undefined): z.infer<typeof WeekSchema> {
  if (!f) return { week, tickets: 0, mttaMinutes: null, mttrMinutes: null, breached: 0, breachedResponse: 0, breachedResolution: 0, breachedVendor: 0 };
  return {
    week,
    tickets: f.tickets,
    mttaMinutes: round(f.mttaMinutes),
    mttrMinutes: round(f.mttrMinutes),
    breached: f.tickets - f.compliant,
    breachedResponse: f.breachedResponse,
    breachedResolution: f.breachedResolution,
    breachedVendor: f.breachedVendor,
  };
}

export function registerSlaWeekly(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(slaWeeklyRoute, async (c) => {
    const q = c.req.valid('query');
    const report = await slaReport(c.get('deps').sql, { ...q, groupBy: 'week' });
    const byWeek = new Map(report.groups.map((g) => [g.key, g]));
    const weeks = weeksBetween(q.from, q.to, q.timeZone).map((w) => toWeek(w, byWeek.get(w)));
    return c.json({ from: q.from, to: q.to, timeZone: q.timeZone, weeks, total: toRow(report.total) }, 200);
  });
}
