/**
 * What the assignment routes (teams, members, rules, on-call) share: who may read and edit, the
 * path, team and response schemas, and the error responses. The rule, member and on-call bodies
 * are in @tierline/contracts (the portal's forms are checked by them).
 */
import { z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { ErrorEnvelopeSchema, TeamBodySchema as TeamBodyContractSchema, TeamIdSchema, TimeZoneSchema, UsernameSchema, WeeklyHoursSchema, WEEKDAYS } from '@tierline/contracts';
import { AppError, hasRole, type Actor } from '@tierline/platform';
import { isValidTimeZone } from '@tierline/domain';
import type { TicketAppEnv } from '../deps.js';

export const ASSIGNMENT_TAGS = ['Assignment'];

// ---------------------------------------------------------------------------------------------
// Access: IT leads edit rules, teams and rotas; IT agents read them (they work the queue the
// rules fill); everybody else is refused.

export const canReadAssignment = (a: Actor): boolean => hasRole(a, 'it_lead', 'it_agent');
export const canEditAssignment = (a: Actor): boolean => hasRole(a, 'it_lead');

/** Route middleware: runs before validation, so a refused caller learns nothing else. */
export const assignmentReaders = createMiddleware<TicketAppEnv>(async (c, next) => {
  if (!canReadAssignment(c.get('actor'))) throw new AppError('FORBIDDEN', 'assignment rules, teams and rotas are visible to IT only');
  await next();
});
/**
 * The notification service resolves `team` and `on_call` escalation targets to people, so its
 * service account may read a team and its rota (never rules, never edit: it has no roles).
 */
export const NOTIFICATION_CLIENT = 'tierline-notification';
export const canReadTeam = (a: Actor): boolean => canReadAssignment(a) || a.serviceClient === NOTIFICATION_CLIENT;
export const teamReaders = createMiddleware<TicketAppEnv>(async (c, next) => {
  if (!canReadTeam(c.get('actor'))) throw new AppError('FORBIDDEN', 'teams and rotas are visible to IT and the notification service only');
  await next();
});
export const assignmentEditors = createMiddleware<TicketAppEnv>(async (c, next) => {
  if (!canEditAssignment(c.get('actor'))) throw new AppError('FORBIDDEN', 'only IT leads may change assignment rules, teams and rotas');
  await next();
});

// ---------------------------------------------------------------------------------------------
// Path parameters (the identifiers are in @tierline/contracts)

export const TeamParamSchema = z.object({ id: TeamIdSchema.openapi({ param: { name: 'id', in: 'path' } }) });
export const MemberParamSchema = z.object({
  id: TeamIdSchema.openapi({ param: { name: 'id', in: 'path' } }),
  username: UsernameSchema.openapi({ param: { name: 'username', in: 'path' } }),
});
export const ShiftParamSchema = z.object({
  id: TeamIdSchema.openapi({ param: { name: 'id', in: 'path' } }),
  shiftId: z.uuid().openapi({ param: { name: 'shiftId', in: 'path' } }),
});

// ---------------------------------------------------------------------------------------------
// Teams

export const TeamMemberSchema = z
  .object({
    username: UsernameSchema,
    userId: z.string().nullable().openapi({ description: 'Keycloak user id (token `sub`). Only members with a known user id are assigned automatically.' }),
    displayName: z.string(),
    skills: z.array(z.string()),
    available: z.boolean().openapi({ description: 'false: not picked by automatic assignment (on-call shifts still apply).' }),
    updatedBy: z.string(),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .openapi('TeamMember');

export const TeamSchema = z
  .object({
    id: TeamIdSchema,
    name: z.string(),
    tier: z.union([z.literal(1), z.literal(2)]),
    timeZone: z.string(),
    weeklyHours: WeeklyHoursSchema,
    leadUsername: z.string().nullable(),
    members: z.array(TeamMemberSchema),
    updatedBy: z.string(),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .openapi('Team');

/** The team body of @tierline/contracts, with the time zone checked against the runtime's zone data. */
export const TeamBodySchema = TeamBodyContractSchema.extend({ timeZone: TimeZoneSchema.refine(isValidTimeZone, 'unknown IANA time zone') }).openapi('TeamInput');

// ---------------------------------------------------------------------------------------------
// Rules

export const AssignmentRuleSchema = z
  .object({
    position: z.number().int().nonnegative(),
    category: z.string().nullable(),
    siteId: z.string().nullable(),
    teamId: z.string(),
    requiredSkills: z.array(z.string()),
    escalationTeamId: z.string().nullable(),
  })
  .openapi('AssignmentRule');

export const AssignmentRulesSchema = z
  .object({ rules: z.array(AssignmentRuleSchema).openapi({ description: 'In position order.' }) })
  .openapi('AssignmentRules');

// ---------------------------------------------------------------------------------------------
// On-call

export const OnCallShiftSchema = z
  .object({
    id: z.uuid(),
    teamId: z.string(),
    username: z.string(),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    createdBy: z.string(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .openapi('OnCallShift');

// ---------------------------------------------------------------------------------------------
// Responses

const errorContent = { 'application/json': { schema: ErrorEnvelopeSchema } };
export const teamNotFoundResponse = { 404: { description: 'No such team (or member, or shift)', content: errorContent } } as const;
export const assignmentConflictResponse = { 409: { description: 'Conflicts with the current state; `message` says how', content: errorContent } } as const;

// ---------------------------------------------------------------------------------------------
// Rotations and the schedule

export const RotationSchema = z
  .object({
    teamId: TeamIdSchema,
    participants: z.array(UsernameSchema).openapi({ description: 'In hand-off order.' }),
    handoffWeekday: z.enum(WEEKDAYS).nullable(),
    handoffTime: z.string().openapi({ example: '09:00' }),
    lengthDays: z.number().int(),
    timeZone: z.string(),
    startDate: z.string().openapi({ example: '2026-03-16' }),
    firstHandoffAt: z.iso.datetime({ offset: true }).openapi({ description: 'The instant of the first hand-off.' }),
    updatedBy: z.string(),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .openapi('Rotation');

export const ScheduledShiftSchema = z
  .object({
    username: z.string(),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    source: z.enum(['rotation', 'override']).openapi({ description: 'override: a one-off shift, which replaces the rotation for its span.' }),
    overrideId: z.uuid().nullable().openapi({ description: 'The one-off shift (DELETE /api/v1/teams/{id}/on-call/{shiftId}) when source = override.' }),
  })
  .openapi('ScheduledShift');
