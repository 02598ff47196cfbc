import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorResponse, hasRole, type Actor } from '@tierline/platform';
import { NotificationChannelSchema } from '@tierline/contracts';
import type { NotificationEnvBindings } from '../app.js';

export const DeliverySchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['page', 'alert', 'update']).openapi({
      description: 'page: the escalation itself; alert: an IT lead told that a page failed (IT only); update: a status update to the requester or a watcher (not vendors)',
    }),
    template: z.string().nullable(),
    channel: NotificationChannelSchema,
    recipientId: z.string(),
    recipientUsername: z.string().nullable(),
    status: z.enum(['queued', 'sent', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastError: z.string().nullable().openapi({ description: "The provider's last error; IT only (it may quote an address), null for others" }),
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
  description:
    'Whoever may read the ticket (asked of the ticket service with the same token) may see its deliveries. IT sees all ' +
    'of them with provider errors; a vendor, the pages to its own organisation; clinic staff, the pages. Contact ' +
    'details (addresses, numbers, handles) are never part of the answer.',
  security: [{ bearer: [] }],
  request: { query: ListQuery },
  responses: {
    200: { description: 'Deliveries, oldest first', content: { 'application/json': { schema: ListResponse } } },
    ...errorResponse(400, 'ticketId is not a uuid'),
    ...errorResponse(401, 'Missing, expired or invalid access token'),
    ...errorResponse(404, 'No such ticket, or not one the caller may read'),
    ...errorResponse(503, 'The ticket service could not be asked'),
  },
});

interface Row {
  id: string;
  kind: 'page' | 'alert' | 'update';
  template: string | null;
  channel: Delivery['channel'];
  recipient_id: string;
  username: string | null;
  vendor_org_id: string | null;
  status: Delivery['status'];
  attempts: number;
  last_error: string | null;
  scheduled_at: Date | null;
  sent_at: Date | null;
  bundle_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const isIt = (a: Actor) => hasRole(a, 'it_agent', 'it_lead');

/** Which of a visible ticket's deliveries this caller sees. */
function visibleTo(a: Actor, r: Row): boolean {
  if (isIt(a)) return true;
  // Alerts are IT's internal business; a vendor sees only what was sent to its own people.
  if (r.kind === 'update') return !hasRole(a, 'vendor');
  if (r.kind !== 'page') return false;
  if (hasRole(a, 'vendor')) return a.vendorOrg !== null && r.vendor_org_id === a.vendorOrg;
  return true;
}

export function registerNotificationsList(app: OpenAPIHono<NotificationEnvBindings>) {
  app.openapi(route, async (c) => {
    const actor = c.get('actor');
    const { ticketId } = c.req.valid('query');
    // requireAuth has verified this header's token already.
    const token = c.req.header('authorization')!.replace(/^Bearer\s+/i, '');
    await c.get('ticketAccess')(ticketId, token);
    const rows = await c.get('sql')<Row[]>`
      select id, kind, template, channel, recipient_id, recipient->>'username' as username, recipient->>'vendorOrgId' as vendor_org_id,
        status, attempts, last_error, scheduled_at, sent_at, bundle_id, created_at, updated_at
      from deliveries where ticket_id = ${ticketId} order by created_at, id`;
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    const it = isIt(actor);
    return c.json(
      {
        deliveries: rows
          .filter((r) => visibleTo(actor, r))
          .map((r) => ({
            id: r.id,
            kind: r.kind,
            template: r.template,
            channel: r.channel,
            recipientId: r.recipient_id,
            recipientUsername: r.username,
            status: r.status,
            attempts: r.attempts,
            lastError: it ? r.last_error : null,
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
