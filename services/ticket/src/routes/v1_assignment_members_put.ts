import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { MemberBodySchema } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { assignmentEvent, saveMember } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import {
  ASSIGNMENT_TAGS,
  MemberParamSchema,
  TeamMemberSchema,
  assignmentEditors,
  teamNotFoundResponse,
} from './v1_assignment_common.js';
import { actorRef, emit } from './v1_policies_common.js';

export const putTeamMemberRoute = createRoute({
  method: 'put',
  path: '/api/v1/teams/{id}/members/{username}',
  tags: ASSIGNMENT_TAGS,
  summary: 'Add or update a team member (IT leads)',
  description:
    'Members are named by Keycloak username. Automatic assignment writes the Keycloak user id, so a member is only picked once `userId` is known: send it, or it is taken from your token when you add yourself. ' +
    'Publishes `assignment.team_changed`.',
  security: [{ bearerAuth: [] }],
  middleware: [assignmentEditors] as const,
  request: {
    params: MemberParamSchema,
    body: { required: true, content: { 'application/json': { schema: MemberBodySchema } } },
  },
  responses: {
    200: { description: 'Updated', content: { 'application/json': { schema: TeamMemberSchema } } },
    201: { description: 'Added', content: { 'application/json': { schema: TeamMemberSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...teamNotFoundResponse,
  },
});

export function registerPutTeamMember(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(putTeamMemberRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const { id, username } = c.req.valid('param');
    const body = c.req.valid('json');
    const userId = body.userId === undefined && username === actor.username ? actor.id : body.userId;
    const saved = await saveMember(deps.sql, {
      teamId: id,
      username,
      fields: { ...body, userId },
      updatedBy: actor.id,
      event: (m, created) =>
        assignmentEvent('assignment.team_changed', actorRef(actor), {
          teamId: id,
          change: created ? 'member_added' : 'member_updated',
          username: m.username,
          userId: m.userId,
          skills: m.skills,
          available: m.available,
        }),
    });
    if (!saved) throw new AppError('NOT_FOUND', `no team ${id}`);
    await emit(deps, saved.event);
    return saved.created
      ? c.json(saved.member, 201, { location: `/api/v1/teams/${id}/members/${username}` })
      : c.json(saved.member, 200);
  });
}
