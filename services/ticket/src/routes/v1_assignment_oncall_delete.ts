import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { assignmentEvent, removeShift } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { ASSIGNMENT_TAGS, ShiftParamSchema, assignmentEditors, teamNotFoundResponse } from './v1_assignment_common.js';
import { actorRef, emit } from './v1_policies_common.js';

export const deleteOnCallShiftRoute = createRoute({
  method: 'delete',
  path: '/api/v1/teams/{id}/on-call/{shiftId}',
  tags: ASSIGNMENT_TAGS,
  summary: 'Remove an on-call shift (IT leads)',
  description: 'Publishes `assignment.on_call_changed`; the event keeps who was on call when, for the record.',
  security: [{ bearerAuth: [] }],
  middleware: [assignmentEditors] as const,
  request: { params: ShiftParamSchema },
  responses: {
    204: { description: 'Removed' },
    ...badRequestResponse,
    ...authErrorResponses,
    ...teamNotFoundResponse,
  },
});

export function registerDeleteOnCallShift(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(deleteOnCallShiftRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const { id, shiftId } = c.req.valid('param');
    const removed = await removeShift(deps.sql, {
      teamId: id,
      shiftId,
      event: (s) =>
        assignmentEvent('assignment.on_call_changed', actorRef(actor), {
          teamId: id,
          change: 'shift_removed',
          shiftId: s.id,
          username: s.username,
          startsAt: s.startsAt,
          endsAt: s.endsAt,
        }),
    });
    if (!removed) throw new AppError('NOT_FOUND', `no shift ${shiftId} in team ${id}`);
    await emit(deps, removed.event);
    return c.body(null, 204);
  });
}
