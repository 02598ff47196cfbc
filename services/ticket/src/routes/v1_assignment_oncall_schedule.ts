import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { getTeam, onCallSchedule } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { ASSIGNMENT_TAGS, ScheduledShiftSchema, TeamParamSchema, teamNotFoundResponse, teamReaders } from './v1_assignment_common.js';

const DAY_MS = 86_400_000;
/** A rotation never ends, so the window is bounded: 4 weeks by default, at most 92 days. */
export const SCHEDULE_DEFAULT_DAYS = 28;
export const SCHEDULE_MAX_DAYS = 92;

export const OnCallScheduleQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Default now.' }),
    to: z.iso.datetime({ offset: true }).optional().openapi({ description: `Default from + ${SCHEDULE_DEFAULT_DAYS} days; at most ${SCHEDULE_MAX_DAYS} days after from.` }),
  })
  .superRefine((q, ctx) => {
    if (!q.to) return;
    const from = q.from ? Date.parse(q.from) : Date.now();
    const span = Date.parse(q.to) - from;
    if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (span > SCHEDULE_MAX_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${SCHEDULE_MAX_DAYS} days after from` });
  });

export const OnCallScheduleSchema = z
  .object({ items: z.array(ScheduledShiftSchema).openapi({ description: 'By start; the first may start before `from`, the last end after `to`.' }) })
  .openapi('OnCallSchedule');

export const onCallScheduleRoute = createRoute({
  method: 'get',
  path: '/api/v1/teams/{id}/on-call/schedule',
  tags: ASSIGNMENT_TAGS,
  summary: 'Who is on call for a team, shift by shift',
  description:
    "The team's rotation cut around its one-off shifts (overrides), over [from, to). This is what assignment and paging use: out of the team's working hours, P1 and P2 tickets go to whoever's shift covers the moment.",
  security: [{ bearerAuth: [] }],
  middleware: [teamReaders] as const,
  request: { params: TeamParamSchema, query: OnCallScheduleQuerySchema },
  responses: {
    200: { description: 'The shifts overlapping [from, to)', content: { 'application/json': { schema: OnCallScheduleSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...teamNotFoundResponse,
  },
});

export function registerOnCallSchedule(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(onCallScheduleRoute, async (c) => {
    const { sql } = c.get('deps');
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    if (!(await getTeam(sql, id))) throw new AppError('NOT_FOUND', `no team ${id}`);
    const from = q.from ? new Date(q.from) : new Date();
    const to = q.to ? new Date(q.to) : new Date(from.getTime() + SCHEDULE_DEFAULT_DAYS * DAY_MS);
    const shifts = await onCallSchedule(sql, id, { from, to });
    const items = shifts.map((s) => ({
      username: s.username,
      startsAt: new Date(s.startsAtMs).toISOString(),
      endsAt: new Date(s.endsAtMs).toISOString(),
      source: s.source,
      overrideId: s.overrideId,
    }));
    return c.json({ items }, 200);
  });
}
