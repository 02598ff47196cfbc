import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { getTeam, listShifts } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { ASSIGNMENT_TAGS, OnCallShiftSchema, TeamParamSchema, teamNotFoundResponse, teamReaders } from './v1_assignment_common.js';

export const OnCallQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Shifts ending after this instant; default now.' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Shifts starting before this instant; default: no limit.' }),
});

export const OnCallListSchema = z.object({ items: z.array(OnCallShiftSchema).openapi({ description: 'By start.' }) }).openapi('OnCallShiftList');

export const listOnCallRoute = createRoute({
  method: 'get',
  path: '/api/v1/teams/{id}/on-call',
  tags: ASSIGNMENT_TAGS,
  summary: "Read a team's one-off on-call shifts (the rotation's overrides)",
  description: 'Who is on call, rotation included, is `GET /api/v1/teams/{id}/on-call/schedule`.',
  security: [{ bearerAuth: [] }],
  middleware: [teamReaders] as const,
  request: { params: TeamParamSchema, query: OnCallQuerySchema },
  responses: {
    200: { description: 'The shifts overlapping [from, to)', content: { 'application/json': { schema: OnCallListSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...teamNotFoundResponse,
  },
});

export function registerListOnCall(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(listOnCallRoute, async (c) => {
    const { sql } = c.get('deps');
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    if (!(await getTeam(sql, id))) throw new AppError('NOT_FOUND', `no team ${id}`);
    const items = await listShifts(sql, id, { from: q.from ? new Date(q.from) : new Date(), to: q.to ? new Date(q.to) : null });
    return c.json({ items }, 200);
  });
}
