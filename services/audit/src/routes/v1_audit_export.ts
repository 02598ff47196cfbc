import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import type { AuditAppEnv } from '../deps.js';
import { csvHeader, csvRow, exportLine, trailerLine, type ExportTrailer } from '../export-format.js';
import { isFiltered, latestCheckpoint, streamRows } from '../repo.js';
import { AuditFilterQuerySchema, authErrorResponses, badRequestResponse } from './common.js';

export const ExportAuditQuerySchema = AuditFilterQuerySchema.extend({
  format: z.enum(['jsonl', 'csv']).default('jsonl'),
});

export const exportAuditRoute = createRoute({
  method: 'get',
  path: '/api/v1/audit/export',
  tags: ['Audit'],
  summary: 'Export the audit log',
  description: [
    'Streams every matching row with seq, prev_hash, hash and the exact hashed content, all read in one snapshot.',
    '',
    '- **jsonl**: one object per row, then a closing line `{"checkpoint": {...}|null, "complete": bool, "rows": n, "keyId": ...}` with the latest signed checkpoint.',
    '  `complete` is false when filters were applied (the file then verifies in partial mode). Verify it offline with',
    '  `tierline-audit verify --file export.jsonl --public-key key.pem`.',
    '- **csv**: a first line `# tierline-audit-checkpoint {...}` with the same object, a header, one record per row.',
  ].join('\n'),
  security: [{ bearerAuth: [] }],
  request: { query: ExportAuditQuerySchema },
  responses: {
    200: {
      description: 'The export, streamed',
      content: {
        'application/x-ndjson': { schema: z.string().openapi({ format: 'binary' }) },
        'text/csv': { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

export function registerExportAudit(app: OpenAPIHono<AuditAppEnv>): void {
  app.openapi(exportAuditRoute, (c) => {
    const { format, ...filter } = c.req.valid('query');
    const { sql, signer, logger } = c.get('deps');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    c.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    c.header('content-disposition', `attachment; filename="tierline-audit-${stamp}.${format}"`);
    c.header('cache-control', 'no-store');
    return stream(
      c,
      async (s) => {
        // Rows and checkpoint from one snapshot: the file is consistent even while events arrive.
        await sql.begin('isolation level repeatable read read only', async (tx) => {
          const checkpoint = await latestCheckpoint(tx);
          const trailer: ExportTrailer = { checkpoint, complete: !isFiltered(filter), keyId: signer.keyId, filters: filter };
          if (format === 'csv') {
            const [{ n }] = (await tx`select count(*)::int as n from audit_log`) as unknown as [{ n: number }];
            await s.write(csvHeader({ ...trailer, ...(trailer.complete ? { rows: n } : {}) }));
          }
          let rows = 0;
          for await (const batch of streamRows(tx, filter, 1_000)) {
            if (s.aborted) return;
            rows += batch.length;
            await s.write(batch.map(format === 'csv' ? csvRow : exportLine).join(''));
          }
          if (format === 'jsonl') await s.write(trailerLine({ ...trailer, rows }));
        });
      },
      // Headers are gone once streaming started; the missing closing line marks the file as cut short.
      async (err) => {
        logger.error({ err }, 'audit export failed mid-stream');
      },
    );
  });
}
