import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { assignmentEvent, removeMember } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { ASSIGNMENT_TAGS, MemberParamSchema, assignmentConflictResponse, assignmentEditors, teamNotFoundResponse } from './v1_assignment_common.js';
import { actorRef, emit } from './v1_policies_common.js';

export const deleteTeamMemberRoute = createRoute({
  method: 'delete',
  path: '/api/v1/teams/{id}/members/{username}',
  tags: ASSIGNMENT_TAGS,
  summary: 'Remove a team member (IT leads)',
  description:
    'Refused with 409 while the member has on-call overrides that have not ended or is in the team\'s rotation: change the rota first, so nobody is paged for a team they left. ' +
    'Tickets already assigned to them stay assigned. Publishes `assignment.team_changed`.',
  security: [{ bearerAuth: [] }],
  middleware: [assignmentEditors] as const,
  request: { params: MemberParamSchema },
  responses: {
    204: { description: 'Removed' },
    ...badRequestResponse,
    ...authErrorResponses,
    ...teamNotFoundResponse,
    ...assignmentConflictResponse,
  },
});

export function registerDeleteTeamMember(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(deleteTeamMemberRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const { id, username } = c.req.valid('param');
    const outcome = await removeMember(deps.sql, {
      teamId: id,
      username,
      now: new Date(),
      event: () => assignmentEvent('assignment.team_changed', actorRef(actor), { teamId: id, change: 'member_removed', username }),
    });
    if (outcome.kind === 'not_found') throw new AppError('NOT_FOUND', `${username} is not a member of team ${id}`);
    if (outcome.kind === 'has_shifts') {
      throw new AppError('CONFLICT', `${username} still has on-call shifts in team ${id} (${outcome.shiftIds.join(', ')}); remove or reassign them first`);
    }
    if (outcome.kind === 'in_rotation') {
      throw new AppError('CONFLICT', `${username} is in the on-call rotation of team ${id}; take them out of the rotation first`);
    }
    await emit(deps, outcome.event);
    return c.body(null, 204);
  });
}
