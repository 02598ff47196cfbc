import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError, hasRole, type Actor } from '@tierline/platform';
import { NotificationChannelSchema } from '@tierline/contracts';
import type { NotificationEnvBindings } from '../app.js';

export const DeliverySchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['page', 'alert']),
    template: z.string().nullable(),
    channel: NotificationChannelSchema,
    recipientId: z.string(),
    recipientUsername: z.string().nullable(),
    status: z.enum(['queued', 'sent', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    scheduledAt: z.string().nullable(),
    sentAt: z.string().nullable(),
    bundleId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Delivery');
export type Delivery = z.infer<typeof DeliverySchema>;

const ListQuery = z.object({ ticketId: z.uuid().openapi({ param: { name: 'ticketId', in: 'query' } }) });
const ListResponse = z.object({ deliveries: z.array(DeliverySchema) }).openapi('DeliveryList');

const route = createRoute({
  method: 'get',
  path: '/api/v1/notifications',
  summary: "A ticket's deliveries and their status",
  security: [{ bearer: [] }],
  request: { query: ListQuery },
  responses: {
    200: { description: 'Deliveries, oldest first', content: { 'application/json': { schema: ListResponse } } },
  },
});

/** IT staff see delivery status; vendors, clinic staff and auditors do not (contacts are personal). */
const mayRead = (a: Actor) => hasRole(a, 'it_agent', 'it_lead', 'admin');

export function registerNotificationsList(app: OpenAPIHono<NotificationEnvBindings>) {
  app.openapi(route, async (c) => {
    const actor = c.get('actor');
    if (!mayRead(actor)) throw new AppError('FORBIDDEN', 'delivery status is for IT staff');
    const { ticketId } = c.req.valid('query');
    const rows = await c.get('sql')<
      { id: string; kind: 'page' | 'alert'; template: string | null; channel: Delivery['channel']; recipient_id: string; username: string | null; status: Delivery['status']; attempts: number; last_error: string | null; scheduled_at: Date | null; sent_at: Date | null; bundle_id: string | null; created_at: Date; updated_at: Date }[]
    >`select id, kind, template, channel, recipient_id, recipient->>'username' as username, status, attempts, last_error, scheduled_at, sent_at, bundle_id, created_at, updated_at
      from deliveries where ticket_id = ${ticketId} order by created_at, id`;
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return c.json(
      {
        deliveries: rows.map((r) => ({
          id: r.id,
          kind: r.kind,
          template: r.template,
          channel: r.channel,
          recipientId: r.recipient_id,
          recipientUsername: r.username,
          status: r.status,
          attempts: r.attempts,
          lastError: r.last_error,
          scheduledAt: iso(r.scheduled_at),
          sentAt: iso(r.sent_at),
          bundleId: r.bundle_id,
          createdAt: r.created_at.toISOString(),
          updatedAt: r.updated_at.toISOString(),
        })),
      },
      200,
    );
  });
}
