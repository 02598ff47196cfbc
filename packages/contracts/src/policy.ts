import { z } from '@hono/zod-openapi';
import { ImpactSchema, PrioritySchema, UrgencySchema } from './tickets.js';

/**
 * Escalation policy: what IT leads edit as a draft and publish as an immutable numbered version.
 * A ticket workflow runs on the version it was opened under (the policy is workflow input).
 *
 * This file is the *structural* contract (types, ranges, formats). The semantic rules that need
 * the whole policy (known calendars, level ordering, a default rule per priority, real IANA time
 * zones, …) live in `validatePolicy` (packages/domain/src/policy/validate.ts), which is zod-free so the
 * workflow sandbox can run it too. The API runs both: zod first, then `validatePolicy`.
 *
 * Units: every duration is in whole minutes of the rule's calendar time ("business minutes" on a
 * business_hours calendar, plain minutes on a 24x7 one).
 */

/** Upper bound of any duration in a policy: one year of minutes. Keeps arithmetic and loops sane. */
export const POLICY_MAX_MINUTES = 525_600;

const Minutes = z.number().int().nonnegative().max(POLICY_MAX_MINUTES);
const PositiveMinutes = z.number().int().positive().max(POLICY_MAX_MINUTES);

// ---------------------------------------------------------------------------------------------
// Calendars

/** Local wall-clock time "HH:MM", 00:00–23:59; "24:00" is allowed to end a day's last interval. */
export const LocalTimeSchema = z
  .string()
  .regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a local time "HH:MM" between 00:00 and 24:00')
  .openapi({ example: '08:00' });

/** A calendar day "YYYY-MM-DD" (a real date) in the calendar's own time zone. */
export const LocalDateSchema = z.iso.date().openapi({ example: '2026-12-25' });

/** Working interval [start, end) in local wall-clock time. `end` must be after `start`. */
export const WorkingIntervalSchema = z
  .object({ start: LocalTimeSchema, end: LocalTimeSchema })
  .strict()
  .openapi('WorkingInterval');
export type WorkingInterval = z.infer<typeof WorkingIntervalSchema>;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const DayHours = z.array(WorkingIntervalSchema).max(24).default([]);
/** Working intervals per weekday; a missing day means "closed" (parsed to `[]`). */
export const WeeklyHoursSchema = z
  .object({ mon: DayHours, tue: DayHours, wed: DayHours, thu: DayHours, fri: DayHours, sat: DayHours, sun: DayHours })
  .strict()
  .openapi('WeeklyHours');
export type WeeklyHours = z.infer<typeof WeeklyHoursSchema>;

/** IANA time zone name, e.g. "America/New_York". Whether it exists is checked by validatePolicy. */
export const TimeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_+\-/]+$/, 'must be an IANA time zone name such as "America/New_York"')
  .openapi({ example: 'America/New_York' });

export const Calendar24x7Schema = z
  .object({ mode: z.literal('24x7'), timeZone: TimeZoneSchema })
  .strict()
  .openapi('Calendar24x7');

export const BusinessHoursCalendarSchema = z
  .object({
    mode: z.literal('business_hours'),
    timeZone: TimeZoneSchema,
    weeklyHours: WeeklyHoursSchema,
    /** Whole local days off (in `timeZone`), e.g. public holidays. */
    holidays: z.array(LocalDateSchema).max(1000).default([]),
  })
  .strict()
  .openapi('BusinessHoursCalendar');

export const CalendarSchema = z
  .discriminatedUnion('mode', [Calendar24x7Schema, BusinessHoursCalendarSchema])
  .openapi('Calendar');
export type Calendar = z.infer<typeof CalendarSchema>;
export type Calendar24x7 = z.infer<typeof Calendar24x7Schema>;
export type BusinessHoursCalendar = z.infer<typeof BusinessHoursCalendarSchema>;

/** Calendar names are identifiers: they are referenced from rules and vendor contracts. */
export const CalendarNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be a lower-case name such as "clinic-hours"')
  .openapi({ example: 'clinic-hours' });

// ---------------------------------------------------------------------------------------------
// Priority matrix

export const PriorityMatrixSchema = z
  .object({
    /** impact → urgency → priority; every cell is required. */
    matrix: z.record(ImpactSchema, z.record(UrgencySchema, PrioritySchema)),
    /** How many steps "patient care affected" raises the priority (P1 stays P1). */
    patientCareRaisesBy: z.union([z.literal(0), z.literal(1)]),
  })
  .strict()
  .openapi('PriorityMatrix');
export type PriorityMatrix = z.infer<typeof PriorityMatrixSchema>;

// ---------------------------------------------------------------------------------------------
// Rules and levels

export const EscalationTargetSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('team'), teamId: z.string().min(1) }).strict(),
    z.object({ kind: z.literal('on_call'), teamId: z.string().min(1) }).strict(),
    z.object({ kind: z.literal('it_lead') }).strict(),
    z.object({ kind: z.literal('vendor'), vendorOrgId: z.string().min(1) }).strict(),
    z.object({ kind: z.literal('user'), userId: z.string().min(1) }).strict(),
  ])
  .openapi('EscalationTarget');
export type EscalationTarget = z.infer<typeof EscalationTargetSchema>;

export const NOTIFICATION_CHANNELS = ['email', 'sms', 'slack', 'teams'] as const;
export const NotificationChannelSchema = z.enum(NOTIFICATION_CHANNELS);
export type NotificationChannel = z.infer<typeof NotificationChannelSchema>;

export const ESCALATION_CLOCKS = ['response', 'resolution'] as const;
/** `response` runs until acknowledged; `resolution` until resolved. Both start when the ticket opens. */
export const EscalationClockSchema = z.enum(ESCALATION_CLOCKS);
export type EscalationClock = z.infer<typeof EscalationClockSchema>;

export const EscalationTierSchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type EscalationTier = z.infer<typeof EscalationTierSchema>;

/**
 * "If not acknowledged (response clock) / not resolved (resolution clock) `after.minutes` calendar
 * minutes after the clock started, escalate to `tier`, notify `targets` on `channels`, then repeat
 * the notification every `repeatEveryMinutes` up to `maxRepeats` times."
 */
export const EscalationLevelSchema = z
  .object({
    after: z.object({ clock: EscalationClockSchema, minutes: Minutes }).strict(),
    tier: EscalationTierSchema,
    targets: z.array(EscalationTargetSchema).min(1).max(20),
    channels: z.array(NotificationChannelSchema).min(1).max(NOTIFICATION_CHANNELS.length),
    repeatEveryMinutes: PositiveMinutes.optional(),
    maxRepeats: z.number().int().positive().max(100).optional(),
  })
  .strict()
  .openapi('EscalationLevel');
export type EscalationLevel = z.infer<typeof EscalationLevelSchema>;

/** The external vendor's own clock, on the vendor's calendar, from the hand-off to tier 3. */
export const VendorContractSchema = z
  .object({
    vendorOrgId: z.string().min(1),
    calendar: CalendarNameSchema,
    responseTargetMinutes: PositiveMinutes,
    resolutionTargetMinutes: PositiveMinutes,
  })
  .strict()
  .openapi('VendorContract');
export type VendorContract = z.infer<typeof VendorContractSchema>;

/** Pre-breach warning thresholds, in percent of a clock's target, e.g. [75, 90]. */
export const WarningPercentSchema = z.number().gt(0).lt(100);

export const PolicyRuleSchema = z
  .object({
    priority: PrioritySchema,
    /** Narrows the rule to these ticket categories; absent = the priority's default rule. */
    categories: z.array(z.string().min(1)).min(1).max(100).optional(),
    calendar: CalendarNameSchema,
    responseTargetMinutes: PositiveMinutes,
    resolutionTargetMinutes: PositiveMinutes,
    warnings: z.array(WarningPercentSchema).max(10).default([]),
    levels: z.array(EscalationLevelSchema).min(1).max(20),
    vendorContract: VendorContractSchema.optional(),
  })
  .strict()
  .openapi('PolicyRule');
export type PolicyRule = z.infer<typeof PolicyRuleSchema>;

export const REOPEN_POLICIES = ['restart_resolution_clock', 'resume_resolution_clock'] as const;
/**
 * On reopen: `restart_resolution_clock` starts a fresh resolution clock (elapsed time 0);
 * `resume_resolution_clock` continues it from the business time elapsed before the resolution.
 */
export const ReopenPolicySchema = z.enum(REOPEN_POLICIES);
export type ReopenPolicy = z.infer<typeof ReopenPolicySchema>;

/** Bounds of `autoCloseAfterDays`: at least a day to answer "not fixed", at most a month. */
export const AUTO_CLOSE_MIN_DAYS = 1;
export const AUTO_CLOSE_MAX_DAYS = 30;

/**
 * Days (24 h each, counted from the resolution) a resolved ticket waits for its requester before
 * it closes on its own; one value for the whole policy (docs/decisions/0038).
 */
export const AutoCloseAfterDaysSchema = z
  .number({ error: 'autoCloseAfterDays must be a whole number of days' })
  .int(`autoCloseAfterDays must be a whole number of days from ${AUTO_CLOSE_MIN_DAYS} to ${AUTO_CLOSE_MAX_DAYS}`)
  .min(AUTO_CLOSE_MIN_DAYS, `autoCloseAfterDays must be at least ${AUTO_CLOSE_MIN_DAYS} day: the requester needs time to say "not fixed"`)
  .max(AUTO_CLOSE_MAX_DAYS, `autoCloseAfterDays must be at most ${AUTO_CLOSE_MAX_DAYS} days`)
  .openapi({
    description:
      'Days (24 hours each, from the resolution) before a resolved ticket closes on its own unless someone reopens it. ' +
      `Whole days, ${AUTO_CLOSE_MIN_DAYS}–${AUTO_CLOSE_MAX_DAYS}; absent means the built-in default (5).`,
    example: 5,
  });

/** Bounds of `duplicates.windowMinutes`: long enough to catch a burst of reports, at most a day. */
export const DUPLICATES_MIN_WINDOW_MINUTES = 5;
export const DUPLICATES_MAX_WINDOW_MINUTES = 1440;

/**
 * Likely duplicates (docs/decisions/0042): a new report with the site and category of an open
 * major incident, or of a P1/P2 opened within the last `windowMinutes`, is shown as "IT already
 * knows about this". With `autoLink`, a new ticket that matches an open major incident is linked
 * to it as a child at once. Absent: window 120 minutes, no automatic linking.
 */
export const DuplicatesSettingsSchema = z
  .object({
    windowMinutes: z
      .number({ error: 'duplicates.windowMinutes must be a whole number of minutes' })
      .int(`duplicates.windowMinutes must be a whole number of minutes from ${DUPLICATES_MIN_WINDOW_MINUTES} to ${DUPLICATES_MAX_WINDOW_MINUTES}`)
      .min(DUPLICATES_MIN_WINDOW_MINUTES, `duplicates.windowMinutes must be at least ${DUPLICATES_MIN_WINDOW_MINUTES} minutes`)
      .max(DUPLICATES_MAX_WINDOW_MINUTES, `duplicates.windowMinutes must be at most ${DUPLICATES_MAX_WINDOW_MINUTES} minutes (one day)`)
      .openapi({ description: `How far back (minutes) a P1/P2 of the same site and category counts as a likely duplicate; ${DUPLICATES_MIN_WINDOW_MINUTES}–${DUPLICATES_MAX_WINDOW_MINUTES}.`, example: 120 }),
    autoLink: z
      .boolean({ error: 'duplicates.autoLink must be true or false' })
      .openapi({ description: 'Link a new ticket to the open major incident of its site and category automatically (audited).', example: false }),
  })
  .strict()
  .openapi('DuplicatesSettings');
export type DuplicatesSettings = z.infer<typeof DuplicatesSettingsSchema>;

export const EscalationPolicySchema = z
  .object({
    // The pattern says "not blank" in the OpenAPI document, which cannot say "min 1 after trimming".
    name: z.string().trim().min(1).max(200).regex(/\S/, 'must not be blank').optional(),
    description: z.string().max(5000).optional(),
    priorityMatrix: PriorityMatrixSchema,
    calendars: z.record(CalendarNameSchema, CalendarSchema),
    rules: z.array(PolicyRuleSchema).min(1).max(200),
    reopenPolicy: ReopenPolicySchema,
    autoCloseAfterDays: AutoCloseAfterDaysSchema.optional(),
    duplicates: DuplicatesSettingsSchema.optional(),
  })
  .strict()
  .openapi('EscalationPolicy');
/** A parsed (output) policy: defaults filled in. What workflows receive. */
export type EscalationPolicy = z.infer<typeof EscalationPolicySchema>;
/** What a client may send (weekdays and holidays may be omitted). */
export type EscalationPolicyInput = z.input<typeof EscalationPolicySchema>;

/** One semantic validation problem: a dotted path into the policy and a message. */
export interface PolicyIssue {
  path: string;
  message: string;
}
