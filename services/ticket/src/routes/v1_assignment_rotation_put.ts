import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { RotationBodySchema, TimeZoneSchema } from '@tierline/contracts';
import { isValidTimeZone } from '@tierline/domain';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { assignmentEvent, saveRotation } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { ASSIGNMENT_TAGS, RotationSchema, TeamParamSchema, assignmentEditors, teamNotFoundResponse } from './v1_assignment_common.js';
import { rotationView } from './v1_assignment_rotation_common.js';
import { actorRef, emit } from './v1_policies_common.js';

export const putRotationRoute = createRoute({
  method: 'put',
  path: '/api/v1/teams/{id}/rotation',
  tags: ASSIGNMENT_TAGS,
  summary: "Set a team's repeating on-call rotation (IT leads)",
  description:
    'Creates or replaces the rotation: the participants (members of the team) take the pager in turn, each for `lengthDays`, handing over at `handoffTime` local time in `timeZone` (DST-correct). ' +
    'One-off shifts (`POST /api/v1/teams/{id}/on-call`) override it for their span. Publishes `assignment.on_call_changed`.',
  security: [{ bearerAuth: [] }],
  middleware: [assignmentEditors] as const,
  request: {
    params: TeamParamSchema,
    body: { required: true, content: { 'application/json': { schema: RotationBodySchema.extend({ timeZone: TimeZoneSchema.refine(isValidTimeZone, 'unknown IANA time zone') }).openapi('RotationInput') } } },
  },
  responses: {
    200: { description: 'Replaced', content: { 'application/json': { schema: RotationSchema } } },
    201: { description: 'Created', content: { 'application/json': { schema: RotationSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...teamNotFoundResponse,
  },
});

export function registerPutRotation(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(putRotationRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const outcome = await saveRotation(deps.sql, {
      teamId: id,
      fields: body,
      updatedBy: actor.id,
      event: (r, created) =>
        assignmentEvent('assignment.on_call_changed', actorRef(actor), {
          teamId: id,
          change: created ? 'rotation_created' : 'rotation_changed',
          participants: r.participants,
          handoffWeekday: r.handoffWeekday,
          handoffTime: r.handoffTime,
          lengthDays: r.lengthDays,
          timeZone: r.timeZone,
          startDate: r.startDate,
        }),
    });
    switch (outcome.kind) {
      case 'no_team':
        throw new AppError('NOT_FOUND', `no team ${id}`);
      case 'not_members':
        throw new AppError(
          'BAD_REQUEST',
          'invalid request: participants',
          outcome.missing.map((m) => ({ path: `participants.${m.index}`, message: `${m.username} is not a member of team ${id}` })),
        );
      case 'saved':
        await emit(deps, outcome.event);
        return outcome.created
          ? c.json(rotationView(outcome.rotation), 201, { location: `/api/v1/teams/${id}/rotation` })
          : c.json(rotationView(outcome.rotation), 200);
    }
  });
}
