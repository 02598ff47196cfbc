import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { OnCallShiftBodySchema } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { addShift, assignmentEvent } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import {
  ASSIGNMENT_TAGS,
  OnCallShiftSchema,
  TeamParamSchema,
  assignmentConflictResponse,
  assignmentEditors,
  teamNotFoundResponse,
} from './v1_assignment_common.js';
import { actorRef, emit } from './v1_policies_common.js';

export const createOnCallShiftRoute = createRoute({
  method: 'post',
  path: '/api/v1/teams/{id}/on-call',
  tags: ASSIGNMENT_TAGS,
  summary: 'Add a one-off on-call shift, an override of the rotation (IT leads)',
  description: "For its span it replaces whoever the team's rotation names. Refused with 409 when it overlaps another one-off shift of the team. Publishes `assignment.on_call_changed`.",
  security: [{ bearerAuth: [] }],
  middleware: [assignmentEditors] as const,
  request: {
    params: TeamParamSchema,
    body: { required: true, content: { 'application/json': { schema: OnCallShiftBodySchema } } },
  },
  responses: {
    201: { description: 'Added', content: { 'application/json': { schema: OnCallShiftSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...teamNotFoundResponse,
    ...assignmentConflictResponse,
  },
});

export function registerCreateOnCallShift(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(createOnCallShiftRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const outcome = await addShift(deps.sql, {
      teamId: id,
      username: body.username,
      startsAt: new Date(body.startsAt),
      endsAt: new Date(body.endsAt),
      createdBy: actor.id,
      event: (s) =>
        assignmentEvent('assignment.on_call_changed', actorRef(actor), {
          teamId: id,
          change: 'shift_added',
          shiftId: s.id,
          username: s.username,
          startsAt: s.startsAt,
          endsAt: s.endsAt,
        }),
    });
    switch (outcome.kind) {
      case 'no_team':
        throw new AppError('NOT_FOUND', `no team ${id}`);
      case 'not_member':
        throw new AppError('BAD_REQUEST', 'invalid request: username', [{ path: 'username', message: `${body.username} is not a member of team ${id}` }]);
      case 'overlaps':
        throw new AppError(
          'CONFLICT',
          `overlaps shift ${outcome.with.id} of ${outcome.with.username} (${outcome.with.startsAt} – ${outcome.with.endsAt}); shifts of one team must not overlap`,
        );
      case 'added':
        await emit(deps, outcome.event);
        return c.json(outcome.shift, 201, { location: `/api/v1/teams/${id}/on-call/${outcome.shift.id}` });
    }
  });
}
