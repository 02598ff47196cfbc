import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { TicketAppEnv } from '../deps.js';
import { listTeams } from '@tierline/ticket-store';
import { authErrorResponses } from './common.js';
import { ASSIGNMENT_TAGS, TeamSchema, assignmentReaders } from './v1_assignment_common.js';

export const TeamListSchema = z.object({ items: z.array(TeamSchema).openapi({ description: 'By tier, then id.' }) }).openapi('TeamList');

export const listTeamsRoute = createRoute({
  method: 'get',
  path: '/api/v1/teams',
  tags: ASSIGNMENT_TAGS,
  summary: 'List teams with their members',
  security: [{ bearerAuth: [] }],
  middleware: [assignmentReaders] as const,
  responses: {
    200: { description: 'Every team', content: { 'application/json': { schema: TeamListSchema } } },
    ...authErrorResponses,
  },
});

export function registerListTeams(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(listTeamsRoute, async (c) => c.json({ items: await listTeams(c.get('deps').sql) }, 200));
}
