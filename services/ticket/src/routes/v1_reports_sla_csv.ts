import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { slaReport } from '@tierline/ticket-store';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse } from './common.js';
import { reportReaders, SlaQuerySchema, toRow } from './v1_reports_sla.js';

export const slaReportCsvRoute = createRoute({
  method: 'get',
  path: '/api/v1/reports/sla.csv',
  tags: ['Reports'],
  summary: 'The service-level report as a CSV file',
  description:
    'The rows of `GET /api/v1/reports/sla` for the same query, one line per group and a last line `total`, as an attachment. ' +
    'RFC 4180: comma-separated, CRLF line ends, a field with a comma, quote or line break is quoted with its quotes doubled; a text field that a ' +
    'spreadsheet would take for a formula (starting with = + - @) is prefixed with an apostrophe. Same access as the report: IT leads and auditors.',
  security: [{ bearerAuth: [] }],
  middleware: [reportReaders] as const,
  request: { query: SlaQuerySchema },
  responses: {
    200: { description: 'The CSV file', content: { 'text/csv': { schema: z.string() } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

/** One CSV field: quoted when it must be, and never read as a formula by a spreadsheet. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const csvLine = (fields: (string | number | null)[]): string => fields.map(csvField).join(',');

const HEADER = [
  'tickets',
  'acknowledged',
  'mtta_minutes',
  'resolved',
  'mttr_minutes',
  'breached_response',
  'breached_resolution',
  'breached_vendor',
  'sla_compliance_percent',
  'escalations_tier2',
  'escalations_tier3',
];

/** The day of an instant, for the file's name: 2026-12-03. */
const day = (iso: string) => new Date(iso).toISOString().slice(0, 10);

export function registerSlaReportCsv(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(slaReportCsvRoute, async (c) => {
    const q = c.req.valid('query');
    const report = await slaReport(c.get('deps').sql, q);
    const lines = [csvLine([q.groupBy, ...HEADER])];
    for (const facts of [...report.groups, report.total]) {
      const r = toRow(facts);
      lines.push(
        csvLine([
          r.key,
          r.tickets,
          r.acknowledged,
          r.mttaMinutes,
          r.resolved,
          r.mttrMinutes,
          r.breachedResponse,
          r.breachedResolution,
          r.breachedVendor,
          r.slaCompliancePercent,
          r.escalationsByTier.tier2,
          r.escalationsByTier.tier3,
        ]),
      );
    }
    const filename = `tierline-sla-by-${q.groupBy}-${day(q.from)}-to-${day(q.to)}.csv`;
    return c.body(`${lines.join('\r\n')}\r\n`, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    });
  });
}
