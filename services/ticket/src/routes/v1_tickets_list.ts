import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { PrioritySchema, TicketSchema, TicketStatusSchema } from '@tierline/contracts';
import { AppError, hasRole, type Actor, type Sql } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { recordContentReads, ticketViewFor } from '../access.js';
import { rowToTicket, type TicketRow } from '../tickets-repo.js';
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

/** The rows a caller may list at all, as a SQL condition (object-level rules of access.ts). */
function visibility(sql: Sql, actor: Actor) {
  if (hasRole(actor, 'it_agent', 'it_lead')) return sql`true`;
  const parts = [];
  if (hasRole(actor, 'clinic_staff')) parts.push(sql`(site_id = any(${actor.sites}) or requester_id = ${actor.id})`);
  if (hasRole(actor, 'vendor') && actor.vendorOrg) parts.push(sql`(vendor_org_id = ${actor.vendorOrg} and tier = 3)`);
  // Admins and auditors read one ticket at a time, each read audited (access.ts): a list would
  // hand out the titles and descriptions of hundreds of tickets in one unaudited answer.
  if (parts.length === 0) throw new AppError('FORBIDDEN', 'your role cannot list tickets; admins and auditors open one ticket at a time, and each read is audited');
  return parts.length === 1 ? parts[0]! : sql`(${parts[0]!} or ${parts[1]!})`;
}

export function registerListTickets(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(listTicketsRoute, async (c) => {
    const { sql } = c.get('deps');
    const q = c.req.valid('query');
    const actor = c.get('actor');
    const conds = [visibility(sql, actor)];
    if (q.status) conds.push(sql`status = any(${q.status})`);
    if (q.priority) conds.push(sql`priority = any(${q.priority})`);
    if (q.tier) conds.push(sql`tier = any(${q.tier})`);
    if (q.siteId) conds.push(sql`site_id = ${q.siteId}`);
    if (q.teamId) conds.push(sql`team_id = ${q.teamId}`);
    if (q.assigneeId) conds.push(sql`assignee_id = ${q.assigneeId}`);
    if (q.atRisk !== undefined) conds.push(sql`sla_at_risk = ${q.atRisk}`);
    if (q.open !== undefined) conds.push(q.open ? sql`status not in ('resolved', 'closed')` : sql`status in ('resolved', 'closed')`);

    const byDeadline = q.sort === 'next_deadline';
    if (q.cursor) {
      const cur = decodeCursor(q.cursor, q.sort);
      if (byDeadline) {
        // Keyset over (next_deadline_at nulls last, id).
        conds.push(
          cur.k === null
            ? sql`(next_deadline_at is null and id > ${cur.id})`
            : sql`(next_deadline_at > ${cur.k} or (next_deadline_at = ${cur.k} and id > ${cur.id}) or next_deadline_at is null)`,
        );
      } else {
        conds.push(sql`(created_at < ${cur.k} or (created_at = ${cur.k} and id < ${cur.id}))`);
      }
    }
    const where = conds.reduce((acc, cond) => sql`${acc} and ${cond}`);
    const order = byDeadline ? sql`next_deadline_at asc nulls last, id asc` : sql`created_at desc, id desc`;
    const rows = await sql<TicketRow[]>`select * from tickets where ${where} order by ${order} limit ${q.limit + 1}`;
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > q.limit && last
        ? encodeCursor({ k: byDeadline ? (last.next_deadline_at?.toISOString() ?? null) : last.created_at.toISOString(), id: last.id })
        : null;
    const items = page.map(rowToTicket);
    // Each ticket of the page is a read of its content, recorded once per person, ticket and hour.
    await recordContentReads(c.get('deps'), actor, items, 'list');
    return c.json({ items: items.map((t) => ticketViewFor(actor, t)), nextCursor }, 200);
  });
}
