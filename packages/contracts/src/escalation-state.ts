import { z } from '@hono/zod-openapi';
import { EscalationClockSchema, EscalationTargetSchema, EscalationTierSchema, NotificationChannelSchema } from './policy.js';
import { PrioritySchema, TicketStatusSchema } from './tickets.js';

// The state a ticket's workflow shows (its getState query, and the result of every action): the
// workflow's TypeScript types derive from these schemas (packages/ticket-workflow/src/index.ts), and
// GET /api/v1/tickets/{id}/escalation documents and answers them.

export const CLOCK_NAMES = ['response', 'resolution', 'vendor_response', 'vendor_resolution'] as const;
export const ClockNameSchema = z.enum(CLOCK_NAMES);
export type ClockName = z.infer<typeof ClockNameSchema>;

export const ClockRunStateSchema = z.enum(['running', 'paused', 'stopped', 'not_started']);
export type ClockRunState = z.infer<typeof ClockRunStateSchema>;

/** A clock as the query shows it: computed at query time. */
export const ClockViewSchema = z
  .object({
    name: ClockNameSchema,
    state: ClockRunStateSchema,
    targetMinutes: z.number().openapi({ description: '0 for a vendor clock of a ticket never handed to a vendor.' }),
    elapsedMinutes: z.number().openapi({ description: 'Calendar minutes counted so far (hundredths).' }),
    remainingMinutes: z.number().openapi({ description: 'Calendar minutes left before the target; 0 once it has passed.' }),
    deadlineAt: z.string().nullable().openapi({ description: 'When the target falls if the clock keeps running; null without a target or while it cannot be known.' }),
    breached: z.boolean(),
  })
  .openapi('TicketClock');
export type ClockView = z.infer<typeof ClockViewSchema>;

/** A level of the ticket's policy rule, as the workflow tracks it. */
export const LevelStateSchema = z
  .object({
    index: z.number().int(),
    clock: EscalationClockSchema,
    afterMinutes: z.number(),
    tier: EscalationTierSchema,
    targets: z.array(EscalationTargetSchema),
    channels: z.array(NotificationChannelSchema),
    repeatEveryMinutes: z.number().nullable(),
    maxRepeats: z.number().int(),
    fired: z.number().int().openapi({ description: '0 = not fired; 1 = fired; 1 + n = fired and repeated n times.' }),
    nextDueClockMs: z.number().openapi({ description: 'Calendar milliseconds on its clock at which the next firing is due.' }),
  })
  .openapi('EscalationLevelState');
export type LevelState = z.infer<typeof LevelStateSchema>;

/** One firing of a level (a page), in order. */
export const EscalationRecordSchema = z
  .object({
    level: z.number().int(),
    tier: z.number().int(),
    repeat: z.number().int(),
    at: z.string(),
    clock: EscalationClockSchema,
    idempotencyKey: z.string(),
  })
  .openapi('EscalationRecord');
export type EscalationRecord = z.infer<typeof EscalationRecordSchema>;

/**
 * A ticket's part in a major incident (docs/decisions/0040): the parent lists its children and when
 * its next status update is due; a child names its parent. null: neither.
 */
export const IncidentStateSchema = z
  .discriminatedUnion('role', [
    z.object({
      role: z.literal('major'),
      children: z.array(z.string()).openapi({ description: 'Ticket ids of the linked children, in link order.' }),
      nextUpdateAt: z.string().nullable().openapi({ description: 'When the next status update is due; the owner is reminded when it passes without a newer post.' }),
      declaredBy: z.string().nullable().optional().openapi({ description: 'Who declared it: reminded of overdue updates while nobody is assigned.' }),
    }),
    z.object({ role: z.literal('child'), parentTicketId: z.string() }),
  ])
  .openapi('TicketIncidentState');
export type IncidentState = z.infer<typeof IncidentStateSchema>;

/** What the workflow keeps besides its clocks (their running state is internal, see ClockState). */
export const EscalationStateBaseSchema = z.object({
  ticketId: z.string(),
  number: z.string(),
  siteId: z.string(),
  category: z.string(),
  status: TicketStatusSchema,
  priority: PrioritySchema,
  tier: z.number().int(),
  teamId: z.string().nullable(),
  assigneeId: z.string().nullable(),
  vendorOrgId: z.string().nullable(),
  policyVersion: z.number().int(),
  openedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  // Absent in state carried from runs recorded before auto-close (decision 38): read as null.
  autoCloseAt: z
    .string()
    .nullable()
    .optional()
    .openapi({ description: 'While resolved: when the ticket closes on its own unless someone reopens it (the policy’s autoCloseAfterDays after the resolution); null otherwise.' }),
  awaitingPickupSince: z
    .string()
    .nullable()
    .optional()
    .openapi({ description: 'When the ticket was reopened, until IT acknowledges it again (that acknowledgement is the "picked up again"); null otherwise.' }),
  // Absent in state carried from runs recorded before major incidents (decision 40): read as null.
  incident: IncidentStateSchema.nullable().optional(),
  levels: z.array(LevelStateSchema),
  escalations: z.array(EscalationRecordSchema),
  events: z
    .array(z.object({ id: z.string(), type: z.string(), occurredAt: z.string() }))
    .openapi({ description: 'Events this workflow has published, in order (the last 50 after continue-as-new).' }),
  runs: z.number().int().openapi({ description: 'Times this workflow continued as new.' }),
});
export type EscalationStateBase = z.infer<typeof EscalationStateBaseSchema>;

/** A clock as the workflow keeps it; the view (ClockView) is computed from it at query time. */
export interface ClockState {
  name: ClockName;
  /** Calendar name in the policy whose hours this clock counts. */
  calendar: string;
  targetMinutes: number;
  /** Calendar milliseconds counted before the current running segment. */
  elapsedBeforeMs: number;
  /** Epoch ms of the current running segment's start; null while paused or stopped. */
  runningSinceMs: number | null;
  state: ClockRunState;
  stoppedAtMs: number | null;
  /** Pre-breach warning percentages already sent, and whether the target has passed. */
  warningsSent: number[];
  breached: boolean;
}

/** Everything a ticket's workflow knows, carried across continue-as-new: the shown state with the clocks' internals. */
export interface TicketEscalationState extends EscalationStateBase {
  clocks: Record<ClockName, ClockState>;
  /**
   * The revision of the last read-model patch the workflow built (decision 39); internal, not in
   * the view. Absent in state carried from runs recorded before revisions: read as 0.
   */
  readModelRev?: number;
  /** A major incident's nextUpdateAt whose reminder was sent (decision 40); internal, not in the view. */
  incidentReminded?: string | null;
}

/** The workflow's own view of a ticket: what its getState query and every action update return. */
export const EscalationStateSchema = EscalationStateBaseSchema.extend({
  clocks: z.array(ClockViewSchema),
  currentLevel: z.number().int().openapi({ description: 'Levels fired so far (repeats not counted).' }),
  nextDeadline: z
    .object({ at: z.string(), kind: z.string().openapi({ description: 'What falls due, e.g. "escalation to tier 2" or "75% of response target".' }) })
    .nullable(),
  now: z.string().openapi({ description: 'The workflow time the view was computed at.' }),
}).openapi('EscalationState', {
  description: 'The workflow’s own view: status, tier, current level, every clock (elapsed, remaining, paused), the next deadline, the escalations so far.',
});
export type EscalationState = z.infer<typeof EscalationStateSchema>;
