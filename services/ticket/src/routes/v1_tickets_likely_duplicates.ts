import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { PrioritySchema, type Ticket } from '@tierline/contracts';
import { duplicatesSettings } from '@tierline/domain';
import { AppError, hasRole, type Actor } from '@tierline/platform';
import { findTicket, latestPublished, likelyDuplicates, type LikelyDuplicate } from '@tierline/ticket-store';
import type { TicketAppEnv } from '../deps.js';
import { recordContentReads } from '../access.js';
import { authErrorResponses, badRequestResponse, notFoundResponse, unavailableResponse } from './common.js';

export const LikelyDuplicatesQuerySchema = z
  .object({
    siteId: z.string().min(1).max(100).optional().openapi({ description: 'The site of the report about to be made.', example: 'north' }),
    category: z.string().min(1).max(100).optional().openapi({ description: 'Its category.', example: 'ehr' }),
    ticketId: z.uuid().optional().openapi({
      description: "IT only: the ticket being looked at. Its site and category are used, it is left out, and only reports opened before it count as recent.",
    }),
  })
  .superRefine((q, ctx) => {
    if (q.ticketId) return;
    for (const key of ['siteId', 'category'] as const) {
      if (!q[key]) ctx.addIssue({ code: 'custom', path: [key], message: `${key} is required (or ticketId, for IT)` });
    }
  });

export const DUPLICATE_KINDS = ['major_incident', 'recent_urgent'] as const;

export const LikelyDuplicateSchema = z
  .object({
    number: z.string().openapi({ example: 'IT-1042' }),
    kind: z.enum(DUPLICATE_KINDS).openapi({ description: '`major_incident`: an open major incident; `recent_urgent`: a P1 or P2 reported within the policy’s window.' }),
    status: z.string().openapi({ description: 'Where it stands, in words that say nothing of its content.', example: 'IT is working on it' }),
    ticketId: z.uuid().optional().openapi({ description: 'IT only.' }),
    title: z.string().optional().openapi({ description: 'IT only.' }),
    priority: PrioritySchema.optional().openapi({ description: 'IT only.' }),
    createdAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'IT only.' }),
  })
  .openapi('LikelyDuplicate');
export type LikelyDuplicateView = z.infer<typeof LikelyDuplicateSchema>;

const LikelyDuplicatesSchema = z
  .object({
    items: z.array(LikelyDuplicateSchema),
    windowMinutes: z.number().int().openapi({ description: 'The policy’s window for recent P1/P2 (duplicates.windowMinutes).' }),
    autoLink: z.boolean().openapi({ description: 'Whether a new ticket that matches an open major incident is linked to it automatically.' }),
  })
  .openapi('LikelyDuplicates');

export const likelyDuplicatesRoute = createRoute({
  method: 'get',
  path: '/api/v1/tickets/likely-duplicates',
  tags: ['Tickets'],
  summary: 'Open tickets a report of this site and category probably repeats',
  description:
    'Open major incidents of the site and category, then P1/P2 opened within the policy’s `duplicates.windowMinutes` (docs/decisions/0042). ' +
    'Clinic staff, for their own sites, get only each match’s number, kind and a status phrase: never another person’s words (docs/decisions/0022). ' +
    'IT also gets ids, titles and priorities (each a read of the ticket, recorded as `ticket.content_read`), and may ask about a ticket by `ticketId`.',
  security: [{ bearerAuth: [] }],
  request: { query: LikelyDuplicatesQuerySchema },
  responses: {
    200: { description: 'The matches, most relevant first (at most 5)', content: { 'application/json': { schema: LikelyDuplicatesSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...notFoundResponse,
    ...unavailableResponse,
  },
});

/** Where a match stands, for someone who may not read it: its status only, in plain words. */
export function statusPhrase(t: Pick<Ticket, 'status'>): string {
  switch (t.status) {
    case 'new':
      return 'reported, IT has been alerted';
    case 'waiting_on_vendor':
      return 'IT is working on it with the vendor';
    case 'waiting_on_requester':
      return 'IT is working on it and waiting for information';
    case 'resolved':
    case 'closed':
      return 'IT believes it is fixed';
    default:
      return 'IT is working on it';
  }
}

function view(actor: Actor, d: LikelyDuplicate): LikelyDuplicateView {
  const base = { number: d.ticket.number, kind: d.kind, status: statusPhrase(d.ticket) };
  if (!hasRole(actor, 'it_agent', 'it_lead')) return base;
  return { ...base, ticketId: d.ticket.id, title: d.ticket.title, priority: d.ticket.priority, createdAt: d.ticket.createdAt };
}

export function registerLikelyDuplicates(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(likelyDuplicatesRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const q = c.req.valid('query');
    const it = hasRole(actor, 'it_agent', 'it_lead');
    if (!it && !hasRole(actor, 'clinic_staff')) throw new AppError('FORBIDDEN', 'only clinic staff (for their sites) and IT may look for likely duplicates');
    if (q.ticketId && !it) throw new AppError('FORBIDDEN', 'only IT may look for the likely duplicates of an existing ticket (ticketId)');

    let ticket: Ticket | null = null;
    if (q.ticketId) {
      ticket = await findTicket(deps.sql, q.ticketId);
      if (!ticket) throw new AppError('NOT_FOUND', `no ticket ${q.ticketId}`);
    }
    const siteId = ticket?.siteId ?? q.siteId!;
    const category = ticket?.category ?? q.category!;
    if (!ticket && !deps.categories.includes(category)) {
      throw new AppError('BAD_REQUEST', 'invalid request: category', [{ path: 'category', message: `unknown category "${category}"; expected one of ${deps.categories.join(', ')}` }]);
    }
    if (!it && !actor.sites.includes(siteId)) throw new AppError('FORBIDDEN', `you may not report problems for site "${siteId}", so you cannot look for its duplicates`);

    const current = await latestPublished(deps.sql);
    const settings = duplicatesSettings(current?.policy ?? {});
    // A major incident, or a ticket already linked to one, is not anyone's duplicate to link.
    const found =
      ticket && (ticket.majorIncident || ticket.incidentParentId)
        ? []
        : await likelyDuplicates(deps.sql, { siteId, category, windowMinutes: settings.windowMinutes, ...(ticket ? { ticket } : {}) });
    // IT reads the titles of what it is shown: each is a read of that ticket, recorded as such.
    if (it) await recordContentReads(deps, actor, found.map((d) => d.ticket), 'list');
    return c.json({ items: found.map((d) => view(actor, d)), windowMinutes: settings.windowMinutes, autoLink: settings.autoLink }, 200);
  });
}
