import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { TicketAppEnv } from '../deps.js';
import { listRules } from '@tierline/ticket-store';
import { authErrorResponses } from './common.js';
import { ASSIGNMENT_TAGS, AssignmentRulesSchema, assignmentReaders } from './v1_assignment_common.js';

export const getAssignmentRulesRoute = createRoute({
  method: 'get',
  path: '/api/v1/assignment-rules',
  tags: ASSIGNMENT_TAGS,
  summary: 'Read the assignment rules',
  description:
    'The ordered list that routes a new ticket to a team. The most specific rule matching the ticket wins (category and site > one of them > neither; null means any); equally specific rules go by position.',
  security: [{ bearerAuth: [] }],
  middleware: [assignmentReaders] as const,
  responses: {
    200: { description: 'The rules, in position order', content: { 'application/json': { schema: AssignmentRulesSchema } } },
    ...authErrorResponses,
  },
});

export function registerGetAssignmentRules(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(getAssignmentRulesRoute, async (c) => c.json({ rules: await listRules(c.get('deps').sql) }, 200));
}
