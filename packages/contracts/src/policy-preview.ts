import { z } from '@hono/zod-openapi';
import { EscalationClockSchema, EscalationPolicySchema, EscalationTargetSchema, EscalationTierSchema, NotificationChannelSchema } from './policy.js';
import { PrioritySchema } from './tickets.js';

// The policy preview (POST /api/v1/policies/preview): what a policy would do to a ticket nobody
// acknowledges or resolves, computed by the workflow's own escalation rules
// (packages/domain/src/escalation). The portal's policy page renders it.

export const PolicyPreviewRequestSchema = z
  .object({
    policy: EscalationPolicySchema.openapi({ description: 'The policy to preview, typically the unsaved draft. One that fails validation is refused with 422.' }),
    priority: PrioritySchema,
    category: z.string().trim().min(1).max(100).optional().openapi({ description: 'The ticket category; picks a category rule when one matches.', example: 'medical_device' }),
    openedAt: z.iso
      .datetime({ offset: true })
      // Calendars and time zones are meaningful for the years tickets live in, not for year 0 or 9999.
      .regex(/^20\d\d-/, 'must be in the years 2000 to 2099')
      .optional()
      .openapi({ description: 'When the imagined ticket opens (default: now); in the years 2000 to 2099.', example: '2026-12-04T17:00:00-05:00' }),
  })
  .strict()
  .openapi('PolicyPreviewRequest');
export type PolicyPreviewRequest = z.infer<typeof PolicyPreviewRequestSchema>;

export const PolicyPreviewStepSchema = z
  .object({
    at: z.iso.datetime().openapi({ description: 'The wall-clock instant it falls due: business hours, weekends and holidays honoured.' }),
    minutes: z.number().nonnegative().openapi({ description: 'Calendar minutes counted on its clock since the ticket opened.' }),
    clock: EscalationClockSchema,
    kind: z.enum(['warning', 'target', 'level']).openapi({ description: '`warning`: a pre-breach warning; `target`: the clock reaches its target; `level`: an escalation level pages.' }),
    percent: z.number().optional().openapi({ description: 'Warnings: the percentage of the target.' }),
    level: z.number().int().nonnegative().optional().openapi({ description: 'Levels: the index of the level in the rule.' }),
    tier: EscalationTierSchema.optional(),
    repeat: z.number().int().nonnegative().optional().openapi({ description: 'Levels: 0 for the first page, n for its n-th repeat.' }),
    targets: z.array(EscalationTargetSchema).optional(),
    channels: z.array(NotificationChannelSchema).optional(),
  })
  .openapi('PolicyPreviewStep');
export type PolicyPreviewStep = z.infer<typeof PolicyPreviewStepSchema>;

export const PolicyPreviewSchema = z
  .object({
    ruleIndex: z.number().int().nonnegative().openapi({ description: 'The index in `rules` of the rule the ticket would run on.' }),
    calendar: z.string().openapi({ description: 'The rule’s calendar name.' }),
    timeZone: z.string(),
    businessHours: z.boolean().openapi({ description: 'Whether the calendar counts business hours only (else 24x7).' }),
    openedAt: z.iso.datetime(),
    steps: z.array(PolicyPreviewStepSchema).openapi({ description: 'In time order. The vendor’s own clocks, started by a hand-off, are not included.' }),
  })
  .openapi('PolicyPreview');
export type PolicyPreview = z.infer<typeof PolicyPreviewSchema>;
