import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { PrioritySchema, TicketSchema, TicketStatusSchema } from '@tierline/contracts';
import { AppError, hasRole, type Actor } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { recordContentReads, ticketViewFor } from '../access.js';
import { listTickets, type TicketListScope } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';

const list = () => z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

export const ListTicketsQuerySchema = z.object({
  status: list().pipe(z.array(TicketStatusSchema).min(1)).optional().openapi({ description: 'Comma-separated statuses', example: 'new,acknowledged' }),
  priority: list().pipe(z.array(PrioritySchema).min(1)).optional().openapi({ example: 'P1,P2' }),
  tier: list().pipe(z.array(z.enum(['1', '2', '3'])).min(1)).transform((a) => a.map(Number)).optional().openapi({ example: '2,3' }),
  siteId: z.string().min(1).optional(),
  teamId: z.string().min(1).optional(),
  assigneeId: z.string().min(1).optional(),
  atRisk: z.enum(['true', 'false']).transform((v) => v === 'true').optional().openapi({ description: 'Only tickets whose SLA is at risk (or not).' }),
  open: z.enum(['true', 'false']).transform((v) => v === 'true').optional().openapi({ description: 'true: not resolved or closed.' }),
  sort: z.enum(['next_deadline', 'newest']).default('next_deadline'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional().openapi({ description: 'Opaque; from `nextCursor` of the previous page.' }),
});

const PageSchema = z.object({ items: z.array(TicketSchema), nextCursor: z.string().nullable() }).openapi('TicketPage');

export const listTicketsRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets',
  tags: ['Tickets'],
  summary: 'List and search tickets visible to the caller',
  description:
    'Sorted by next deadline (soonest first, none last) or newest first; cursor pagination. Each ticket returned is a read of its content, ' +
    'recorded as `ticket.content_read` once per person, ticket and hour (503 when it cannot be). A vendor gets `title` and `description` empty.',
  security: [{ bearerAuth: [] }],
  request: { query: ListTicketsQuerySchema },
  responses: {
    200: { description: 'A page of tickets', content: { 'application/json': { schema: PageSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

/**
 * The opaque cursor: the last row's sort key (ISO time; null for a ticket without a deadline) and
 * id. Anything else — not base64url JSON, another shape, a key that is not a time, an id that is
 * not a uuid, a cursor of the other sort order — is a 400 naming `cursor`, never a database error.
 */
const CursorSchema = z.object({ k: z.iso.datetime({ offset: true }).nullable(), id: z.uuid() });
type Cursor = z.infer<typeof CursorSchema>;
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string, sort: 'next_deadline' | 'newest'): Cursor {
  const bad = () => new AppError('BAD_REQUEST', 'invalid request: cursor', [{ path: 'cursor', message: 'not a cursor returned by this API for this sort order' }]);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const parsed = CursorSchema.safeParse(raw);
  if (!parsed.success || (sort === 'newest' && parsed.data.k === null)) throw bad();
  return parsed.data;
}

/** The tickets a caller may list at all (object-level rules of access.ts). */
function scopeOf(actor: Actor): TicketListScope {
  if (hasRole(actor, 'it_agent', 'it_lead')) return { kind: 'all' };
  const staff = hasRole(actor, 'clinic_staff') ? { siteIds: actor.sites, requesterId: actor.id } : undefined;
  const vendorOrgId = hasRole(actor, 'vendor') && actor.vendorOrg ? actor.vendorOrg : undefined;
  // Admins and auditors read one ticket at a time, each read audited (access.ts): a list would
  // hand out the titles and descriptions of hundreds of tickets in one unaudited answer.
  if (!staff && !vendorOrgId) throw new AppError('FORBIDDEN', 'your role cannot list tickets; admins and auditors open one ticket at a time, and each read is audited');
  return { kind: 'some', ...(staff ? { staff } : {}), ...(vendorOrgId ? { vendorOrgId } : {}) };
}

export function registerListTickets(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(listTicketsRoute, async (c) => {
    const q = c.req.valid('query');
    const actor = c.get('actor');
    const scope = scopeOf(actor);
    const byDeadline = q.sort === 'next_deadline';
    const { items, more } = await listTickets(c.get('deps').sql, scope, {
      ...(q.status ? { status: q.status } : {}),
      ...(q.priority ? { priority: q.priority } : {}),
      ...(q.tier ? { tier: q.tier } : {}),
      ...(q.siteId ? { siteId: q.siteId } : {}),
      ...(q.teamId ? { teamId: q.teamId } : {}),
      ...(q.assigneeId ? { assigneeId: q.assigneeId } : {}),
      ...(q.atRisk !== undefined ? { atRisk: q.atRisk } : {}),
      ...(q.open !== undefined ? { open: q.open } : {}),
      sort: q.sort,
      ...(q.cursor ? { after: decodeCursor(q.cursor, q.sort) } : {}),
      limit: q.limit,
    });
    const last = items[items.length - 1];
    const nextCursor = more && last ? encodeCursor({ k: byDeadline ? last.nextDeadlineAt : last.createdAt, id: last.id }) : null;
    // Each ticket of the page is a read of its content, recorded once per person, ticket and hour.
    await recordContentReads(c.get('deps'), actor, items, 'list');
    return c.json({ items: items.map((t) => ticketViewFor(actor, t)), nextCursor }, 200);
  });
}
