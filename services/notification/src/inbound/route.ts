import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError, errorResponse, hasRole } from '@tierline/platform';
import type { NotificationEnvBindings } from '../app.js';
import { listInbound } from './store.js';

const InboundMailSchema = z
  .object({
    id: z.uuid(),
    receivedAt: z.string(),
    status: z.enum(['received', 'done', 'held', 'ignored', 'failed']).openapi({
      description: 'held: never acted on (SPF/DKIM/DMARC failed at the relay, or a forged reply address); ignored: automatic mail, bounces, our own mail; failed: processing gave up',
    }),
    outcome: z.string().nullable(),
    sender: z.string().nullable(),
    subject: z.string().nullable(),
    ticketNumber: z.string().nullable(),
    attachmentCount: z.number().int().openapi({ description: 'Files the mail carried (not stored yet).' }),
  })
  .openapi('InboundMail');

const route = createRoute({
  method: 'get',
  path: '/api/v1/notifications/inbound-mail',
  summary: 'Mail received by the help desk and what became of it (IT leads)',
  description: 'Newest first. `?status=held` lists the mail kept but never acted on, for an IT lead to look at. Bodies are never returned.',
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      status: z.enum(['received', 'done', 'held', 'ignored', 'failed']).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: { description: 'Received mail', content: { 'application/json': { schema: z.object({ items: z.array(InboundMailSchema) }).openapi('InboundMailList') } } },
    ...errorResponse(400, 'status or limit is not valid'),
    ...errorResponse(401, 'Missing, expired or invalid access token'),
    ...errorResponse(403, 'Not an IT lead'),
  },
});

export function registerInboundMailList(app: OpenAPIHono<NotificationEnvBindings>): void {
  app.openapi(route, async (c) => {
    if (!hasRole(c.get('actor'), 'it_lead')) throw new AppError('FORBIDDEN', 'the received mail is for IT leads');
    const q = c.req.valid('query');
    return c.json({ items: await listInbound(c.get('sql'), { limit: q.limit, ...(q.status ? { status: q.status } : {}) }) }, 200);
  });
}
