import { z } from '@hono/zod-openapi';
import { PrioritySchema } from './tickets.js';
import { EscalationTargetSchema, NotificationChannelSchema } from './policy.js';

/**
 * A request to notify people, published by the ticket workflow on `tierline.commands.notify`
 * with `Nats-Msg-Id` = idempotencyKey. The notification service resolves targets to people and
 * delivers at most once per (idempotencyKey, recipient, channel). Carries no free text: only
 * what a page may say outside the clinic (number, priority, site, deadline, link).
 */
export const NotifyCommandSchema = z.object({
  idempotencyKey: z.string().min(1).max(300),
  // incident_update_due: a major incident's announced next status update is overdue (decision 40).
  template: z.enum(['escalation', 'escalation_repeat', 'sla_warning', 'sla_breach', 'vendor_handoff', 'incident_update_due']),
  ticketId: z.uuid(),
  ticketNumber: z.string(),
  priority: PrioritySchema,
  siteId: z.string(),
  tier: z.number().int().min(1).max(3),
  level: z.number().int().nonnegative().nullable(),
  targets: z.array(EscalationTargetSchema).min(1),
  channels: z.array(NotificationChannelSchema).min(1),
  /** The deadline the page is about (e.g. the vendor's contract deadline), if any. */
  deadlineAt: z.iso.datetime({ offset: true }).nullable(),
  /** What the deadline is, in words: "response target", "resolution target"… */
  deadlineKind: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type NotifyCommand = z.infer<typeof NotifyCommandSchema>;
