import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { getRotation, getTeam } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { ASSIGNMENT_TAGS, RotationSchema, TeamParamSchema, assignmentReaders, teamNotFoundResponse } from './v1_assignment_common.js';
import { rotationView } from './v1_assignment_rotation_common.js';

export const getRotationRoute = createRoute({
  method: 'get',
  path: '/api/v1/teams/{id}/rotation',
  tags: ASSIGNMENT_TAGS,
  summary: "Read a team's repeating on-call rotation",
  description: '404 when the team has none (it is then on call through its one-off shifts only).',
  security: [{ bearerAuth: [] }],
  middleware: [assignmentReaders] as const,
  request: { params: TeamParamSchema },
  responses: {
    200: { description: 'The rotation', content: { 'application/json': { schema: RotationSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...teamNotFoundResponse,
  },
});

export function registerGetRotation(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(getRotationRoute, async (c) => {
    const { sql } = c.get('deps');
    const { id } = c.req.valid('param');
    const rotation = await getRotation(sql, id);
    if (!rotation) {
      if (!(await getTeam(sql, id))) throw new AppError('NOT_FOUND', `no team ${id}`);
      throw new AppError('NOT_FOUND', `team ${id} has no rotation`);
    }
    return c.json(rotationView(rotation), 200);
  });
}
