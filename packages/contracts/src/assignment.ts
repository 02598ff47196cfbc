import { z } from '@hono/zod-openapi';
import { LocalDateSchema, TimeZoneSchema, WEEKDAYS, WeeklyHoursSchema } from './policy.js';
import { trimmedText } from './text.js';

/**
 * The bodies the ticket service's assignment routes take (rules, team members, on-call shifts),
 * with the identifiers they are made of: one definition for the routes that validate them and
 * the portal forms that are checked by them before sending.
 */

const ID_PATTERN = /^[a-z][a-z0-9_-]*$/;
export const TeamIdSchema = z.string().min(1).max(64).regex(ID_PATTERN, 'must be lower-case letters, digits, "-" or "_", starting with a letter').openapi({ example: 'it-tier1' });
/** A Keycloak username (Keycloak stores them lower-case). */
export const UsernameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-z0-9][a-z0-9._@-]*$/, 'must be a Keycloak username: lower-case letters, digits, ".", "_", "@" or "-"')
  .openapi({ example: 'alex.agent' });
export const SkillSchema = z.string().min(1).max(64).regex(ID_PATTERN, 'must be lower-case letters, digits, "-" or "_", starting with a letter').openapi({ example: 'ehr' });
export const SkillsSchema = z
  .array(SkillSchema)
  .max(32)
  .refine((a) => new Set(a).size === a.length, 'must not repeat a skill');

/** PUT /api/v1/teams/{id}/members/{username}. */
export const MemberBodySchema = z
  .object({
    displayName: trimmedText(1, 100).openapi({ example: 'Alex Agent' }),
    skills: SkillsSchema.default([]),
    available: z.boolean().default(true),
    userId: z
      .string()
      .min(1)
      .max(64)
      .nullable()
      .optional()
      .openapi({ description: "Keycloak user id. Omitted: keep the stored one (or, when you add yourself, your token's)." }),
  })
  .strict()
  .openapi('TeamMemberInput');
export type MemberBody = z.output<typeof MemberBodySchema>;
export type MemberBodyInput = z.input<typeof MemberBodySchema>;

/** One routing rule as PUT /api/v1/assignment-rules takes it. */
export const AssignmentRuleInputSchema = z
  .object({
    category: z.string().min(1).max(64).nullable().default(null).openapi({ description: 'null: any category.', example: 'ehr' }),
    siteId: z.string().min(1).max(64).nullable().default(null).openapi({ description: 'null: any site.', example: null }),
    teamId: TeamIdSchema,
    requiredSkills: SkillsSchema.default([]).openapi({ description: 'Only members with every one of these skills are picked.' }),
    escalationTeamId: TeamIdSchema.nullable()
      .default(null)
      .openapi({ description: 'The tier-2 team for these tickets when escalated; null: the default tier-2 team.' }),
  })
  .strict()
  .openapi('AssignmentRuleInput');

/** PUT /api/v1/assignment-rules: the whole ordered list. */
export const AssignmentRulesInputSchema = z
  .object({ rules: z.array(AssignmentRuleInputSchema).max(500).openapi({ description: 'The whole list, in order: position = index.' }) })
  .strict()
  .openapi('AssignmentRulesInput');
export type AssignmentRulesInput = z.output<typeof AssignmentRulesInputSchema>;

/** A rota is built from shifts of hours or days; a month-long one is almost certainly a typo. */
export const MAX_SHIFT_MS = 31 * 24 * 3_600_000;

/** POST /api/v1/teams/{id}/on-call. */
export const OnCallShiftBodySchema = z
  .object({
    username: UsernameSchema.openapi({ description: 'A member of the team.' }),
    startsAt: z.iso.datetime({ offset: true }).openapi({ example: '2026-03-04T23:00:00Z' }),
    endsAt: z.iso.datetime({ offset: true }).openapi({ example: '2026-03-05T13:00:00Z', description: 'Exclusive: a shift may start exactly when another ends.' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    const span = Date.parse(b.endsAt) - Date.parse(b.startsAt);
    if (span <= 0) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
    else if (span > MAX_SHIFT_MS) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'a shift lasts at most 31 days' });
  })
  .openapi('OnCallShiftInput');
export type OnCallShiftBody = z.output<typeof OnCallShiftBodySchema>;

/** A rotation's hand-off time: a whole minute of the day, 00:00–23:59. */
const HandoffTimeSchema = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a local time "HH:MM" between 00:00 and 23:59')
  .openapi({ example: '09:00' });

/** PUT /api/v1/teams/{id}/rotation: the team's repeating on-call rotation (one per team). */
export const RotationBodySchema = z
  .object({
    participants: z
      .array(UsernameSchema)
      .min(1, 'needs at least one person')
      .max(50)
      .refine((a) => new Set(a).size === a.length, 'must not name a person twice')
      .openapi({ description: 'Members of the team, in hand-off order; the first takes the first shift.' }),
    handoffWeekday: z
      .enum(WEEKDAYS)
      .nullable()
      .default(null)
      .openapi({ description: 'The first hand-off is on the first such weekday on or after startDate; null: on startDate.' }),
    handoffTime: HandoffTimeSchema.openapi({ description: 'Local time of every hand-off, in timeZone.' }),
    lengthDays: z
      .number()
      .int('must be a whole number of days')
      .min(1, 'must be at least 1 day')
      .max(28, 'must be at most 28 days')
      .openapi({ description: 'How long each person holds the pager (7 = weekly).', example: 7 }),
    timeZone: TimeZoneSchema,
    startDate: LocalDateSchema.openapi({ description: 'Local date in timeZone from which the rotation runs.' }),
  })
  .strict();
export type RotationBody = z.output<typeof RotationBodySchema>;
export type RotationBodyInput = z.input<typeof RotationBodySchema>;

/** Working hours: the policy calendar shape, each interval ending after it starts. */
export const TeamWeeklyHoursSchema = WeeklyHoursSchema.superRefine((w, ctx) => {
  for (const day of WEEKDAYS) {
    w[day].forEach((i, n) => {
      if (i.end <= i.start) ctx.addIssue({ code: 'custom', path: [day, n, 'end'], message: `must be after start (${i.start})` });
    });
  }
});

/**
 * PUT /api/v1/teams/{id}. Whether the time zone exists is checked by the route (it needs the
 * runtime's zone data); the portal's working-hours form is checked by this.
 */
export const TeamBodySchema = z
  .object({
    name: trimmedText(1, 100).openapi({ example: 'Help desk' }),
    tier: z.union([z.literal(1), z.literal(2)]).openapi({ description: 'Tier 1 takes new tickets; tier 2 takes escalated ones.' }),
    timeZone: TimeZoneSchema,
    weeklyHours: TeamWeeklyHoursSchema.openapi({ description: 'Working hours; outside them P1/P2 tickets go to the on-call rota.' }),
    leadUsername: UsernameSchema.nullable().default(null),
  })
  .strict();
export type TeamBody = z.output<typeof TeamBodySchema>;
