import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { assignmentEvent, saveTeam } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { ASSIGNMENT_TAGS, TeamBodySchema, TeamParamSchema, TeamSchema, assignmentConflictResponse, assignmentEditors } from './v1_assignment_common.js';
import { actorRef, emit } from './v1_policies_common.js';

export const putTeamRoute = createRoute({
  method: 'put',
  path: '/api/v1/teams/{id}',
  tags: ASSIGNMENT_TAGS,
  summary: 'Create or update a team (IT leads)',
  description:
    'Name, tier, time zone and weekly working hours (the shape of a policy calendar\'s `weeklyHours`). Members are edited one by one under `/members`. ' +
    'A team that rules name as their escalation team must stay tier 2 (409 otherwise). Publishes `assignment.team_changed`.',
  security: [{ bearerAuth: [] }],
  middleware: [assignmentEditors] as const,
  request: {
    params: TeamParamSchema,
    body: { required: true, content: { 'application/json': { schema: TeamBodySchema } } },
  },
  responses: {
    200: { description: 'Updated', content: { 'application/json': { schema: TeamSchema } } },
    201: { description: 'Created', content: { 'application/json': { schema: TeamSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...assignmentConflictResponse,
  },
});

export function registerPutTeam(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(putTeamRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const fields = c.req.valid('json');
    const outcome = await saveTeam(deps.sql, {
      id,
      fields,
      updatedBy: actor.id,
      event: (team, created) =>
        assignmentEvent('assignment.team_changed', actorRef(actor), {
          teamId: team.id,
          change: created ? 'team_created' : 'team_updated',
          name: team.name,
          tier: team.tier,
          timeZone: team.timeZone,
          weeklyHours: team.weeklyHours,
          leadUsername: team.leadUsername,
        }),
    });
    if (outcome.kind === 'still_escalation_target') {
      throw new AppError(
        'CONFLICT',
        `team ${id} is the escalation team of rules at positions ${outcome.positions.join(', ')}, so it must stay tier 2; change those rules first`,
      );
    }
    await emit(deps, outcome.event);
    return outcome.created ? c.json(outcome.team, 201, { location: `/api/v1/teams/${id}` }) : c.json(outcome.team, 200);
  });
}
