import { z } from '@hono/zod-openapi';

/** Default categories; the ticket service can be configured with its own list. */
export const DEFAULT_CATEGORIES = [
  'ehr',
  'network',
  'hardware',
  'printer_scanner',
  'phone',
  'account_access',
  'medical_device',
  'other',
] as const;

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export const PrioritySchema = z.enum(PRIORITIES).openapi({ description: 'P1 is the most urgent.' });
export type Priority = z.infer<typeof PrioritySchema>;

export const ImpactSchema = z
  .enum(['one_user', 'department', 'whole_site'])
  .openapi({ description: 'How many people the problem stops.' });
export type Impact = z.infer<typeof ImpactSchema>;

export const UrgencySchema = z.enum(['low', 'medium', 'high']).openapi({ description: 'How soon it hurts.' });
export type Urgency = z.infer<typeof UrgencySchema>;

export const TICKET_STATUSES = [
  'new',
  'acknowledged',
  'in_progress',
  'waiting_on_requester',
  'waiting_on_vendor',
  'resolved',
  'closed',
] as const;
export const TicketStatusSchema = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof TicketStatusSchema>;

export const TierSchema = z.number().int().min(1).max(3);

export const CreateTicketRequestSchema = z
  .object({
    title: z.string().trim().min(3).max(200).openapi({ example: 'EHR login fails at front desk' }),
    description: z.string().trim().max(5000).default(''),
    category: z.string().min(1).openapi({ example: 'ehr' }),
    siteId: z.string().min(1).openapi({ example: 'north' }),
    impact: ImpactSchema,
    urgency: UrgencySchema,
    patientCareAffected: z.boolean().default(false),
  })
  .strict()
  .openapi('CreateTicketRequest');
export type CreateTicketRequest = z.infer<typeof CreateTicketRequestSchema>;

export const TicketSchema = z
  .object({
    id: z.uuid(),
    number: z.string().openapi({ example: 'IT-1042' }),
    title: z.string(),
    description: z.string(),
    category: z.string(),
    siteId: z.string(),
    requesterId: z.string(),
    impact: ImpactSchema,
    urgency: UrgencySchema,
    patientCareAffected: z.boolean(),
    priority: PrioritySchema,
    status: TicketStatusSchema,
    tier: TierSchema,
    policyVersion: z.number().int().nonnegative(),
    workflowId: z.string(),
    teamId: z.string().nullable(),
    assigneeId: z.string().nullable(),
    vendorOrgId: z.string().nullable(),
    majorIncident: z.boolean().openapi({ description: 'A major incident: a parent other tickets are linked to (docs/decisions/0040).' }),
    incidentParentId: z.uuid().nullable().openapi({ description: 'The major incident this ticket is linked to as a child; null otherwise.' }),
    escalationLevel: z.number().int().nonnegative().openapi({ description: 'How many escalation levels have fired.' }),
    nextDeadlineAt: z.iso.datetime({ offset: true }).nullable().openapi({ description: 'The next instant the workflow acts unless someone does first.' }),
    nextDeadlineKind: z.string().nullable().openapi({ example: 'escalation to tier 2' }),
    slaAtRisk: z.boolean().openapi({ description: 'A pre-breach warning fired or a target is breached.' }),
    acknowledgedAt: z.iso.datetime({ offset: true }).nullable(),
    resolvedAt: z.iso.datetime({ offset: true }).nullable(),
    closedAt: z.iso.datetime({ offset: true }).nullable(),
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .openapi('Ticket');
export type Ticket = z.infer<typeof TicketSchema>;

/** What the ticket workflow is started with; everything it needs without reading the database. */
export const TicketWorkflowInputSchema = z.object({
  ticket: TicketSchema,
  actor: z.object({ id: z.string(), role: z.string() }),
});
export type TicketWorkflowInput = z.infer<typeof TicketWorkflowInputSchema>;

export const TICKET_TASK_QUEUE = 'tierline-tickets';
export const ticketWorkflowId = (ticketId: string): string => `ticket-${ticketId}`;
