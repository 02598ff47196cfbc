import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { assignmentEvent, getTeam, removeRotation } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { ASSIGNMENT_TAGS, TeamParamSchema, assignmentEditors, teamNotFoundResponse } from './v1_assignment_common.js';
import { actorRef, emit } from './v1_policies_common.js';

export const deleteRotationRoute = createRoute({
  method: 'delete',
  path: '/api/v1/teams/{id}/rotation',
  tags: ASSIGNMENT_TAGS,
  summary: "End a team's on-call rotation (IT leads)",
  description: 'The one-off shifts stay. Publishes `assignment.on_call_changed`; the event keeps the rotation that ended, for the record.',
  security: [{ bearerAuth: [] }],
  middleware: [assignmentEditors] as const,
  request: { params: TeamParamSchema },
  responses: {
    204: { description: 'Ended' },
    ...badRequestResponse,
    ...authErrorResponses,
    ...teamNotFoundResponse,
  },
});

export function registerDeleteRotation(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(deleteRotationRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const removed = await removeRotation(deps.sql, {
      teamId: id,
      event: (r) =>
        assignmentEvent('assignment.on_call_changed', actorRef(actor), {
          teamId: id,
          change: 'rotation_removed',
          participants: r.participants,
          handoffWeekday: r.handoffWeekday,
          handoffTime: r.handoffTime,
          lengthDays: r.lengthDays,
          timeZone: r.timeZone,
          startDate: r.startDate,
        }),
    });
    if (!removed) {
      if (!(await getTeam(deps.sql, id))) throw new AppError('NOT_FOUND', `no team ${id}`);
      throw new AppError('NOT_FOUND', `team ${id} has no rotation`);
    }
    await emit(deps, removed.event);
    return c.body(null, 204);
  });
}
