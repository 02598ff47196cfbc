import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { getTeam } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { ASSIGNMENT_TAGS, TeamParamSchema, TeamSchema, teamNotFoundResponse, teamReaders } from './v1_assignment_common.js';

export const getTeamRoute = createRoute({
  method: 'get',
  path: '/api/v1/teams/{id}',
  tags: ASSIGNMENT_TAGS,
  summary: 'Read a team with its members',
  security: [{ bearerAuth: [] }],
  middleware: [teamReaders] as const,
  request: { params: TeamParamSchema },
  responses: {
    200: { description: 'The team', content: { 'application/json': { schema: TeamSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...teamNotFoundResponse,
  },
});

export function registerGetTeam(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(getTeamRoute, async (c) => {
    const { id } = c.req.valid('param');
    const team = await getTeam(c.get('deps').sql, id);
    if (!team) throw new AppError('NOT_FOUND', `no team ${id}`);
    return c.json(team, 200);
  });
}
