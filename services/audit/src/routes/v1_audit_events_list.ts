import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AuditAppEnv } from '../deps.js';
import { listRows } from '../repo.js';
import { AuditEntrySchema, AuditFilterQuerySchema, authErrorResponses, badRequestResponse, toEntry } from './common.js';

export const ListAuditEventsQuerySchema = AuditFilterQuerySchema.extend({
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'a cursor returned as nextCursor')
    .optional()
    .openapi({ description: 'Return rows after this one: the `nextCursor` of the previous page.' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const ListAuditEventsResponseSchema = z
  .object({
    items: z.array(AuditEntrySchema),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .openapi('AuditEventPage');
export type ListAuditEventsResponse = z.infer<typeof ListAuditEventsResponseSchema>;

export const listAuditEventsRoute = createRoute({
  method: 'get',
  path: '/api/v1/audit/events',
  tags: ['Audit'],
  summary: 'Query the audit log',
  description: 'Recorded events in chain order (seq), filtered and paged by cursor. IT leads and auditors only.',
  security: [{ bearerAuth: [] }],
  request: { query: ListAuditEventsQuerySchema },
  responses: {
    200: { description: 'One page of events', content: { 'application/json': { schema: ListAuditEventsResponseSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

export function registerListAuditEvents(app: OpenAPIHono<AuditAppEnv>): void {
  app.openapi(listAuditEventsRoute, async (c) => {
    const { cursor, limit, ...filter } = c.req.valid('query');
    // One row more than asked tells whether another page exists without a count.
    const rows = await listRows(c.get('deps').sql, filter, cursor ? Number(cursor) : 0, limit + 1);
    const page = rows.slice(0, limit);
    const body: ListAuditEventsResponse = {
      items: page.map(toEntry),
      nextCursor: rows.length > limit ? page.at(-1)!.seq : null,
    };
    return c.json(body, 200);
  });
}
