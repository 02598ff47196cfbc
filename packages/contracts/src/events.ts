import { z } from '@hono/zod-openapi';
import { ActorSchema } from './roles.js';
import { EscalationTargetSchema, NotificationChannelSchema } from './policy.js';
import { ImpactSchema, PrioritySchema, UrgencySchema } from './tickets.js';

/**
 * Every fact Tierline publishes travels in this envelope. `id` doubles as the JetStream
 * `Nats-Msg-Id`, so a retried publish is stored once, and consumers dedupe on it too.
 */
export const EVENT_SCHEMA_VERSION = 1;

export const EventTypeSchema = z
  .string()
  .regex(/^[a-z][a-z_]*\.[a-z][a-z_.]*$/, 'event type must look like "<aggregate>.<name>", e.g. "ticket.created"');

export const EventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: EventTypeSchema,
  occurredAt: z.iso.datetime({ offset: true }),
  actor: ActorSchema,
  ticketId: z.uuid().optional(),
  data: z.record(z.string(), z.unknown()),
  schemaVersion: z.number().int().positive(),
});
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;

export const EVENTS_STREAM = 'TIERLINE_EVENTS';
export const EVENTS_SUBJECT_PREFIX = 'tierline.events';
export const COMMANDS_STREAM = 'TIERLINE_COMMANDS';
export const NOTIFY_SUBJECT = 'tierline.commands.notify';

/** `ticket.created` → `tierline.events.ticket.created`: the aggregate is the first segment. */
export function subjectForEvent(type: string): string {
  EventTypeSchema.parse(type);
  return `${EVENTS_SUBJECT_PREFIX}.${type}`;
}

/**
 * Vendor signed links (identity service, aggregate `vendor_link`). The data carry ids and facts
 * only, never the token itself (it is a bearer credential) nor a revocation's free-text reason.
 */
export const VENDOR_LINK_REFUSALS = ['tampered', 'unknown', 'expired', 'used', 'revoked', 'wrong_recipient', 'not_waiting'] as const;
export const VendorLinkRefusalSchema = z.enum(VENDOR_LINK_REFUSALS);
export type VendorLinkRefusal = z.infer<typeof VendorLinkRefusalSchema>;

const linkFacts = {
  linkId: z.uuid(),
  ticketId: z.uuid(),
  ticketNumber: z.string(),
  level: z.number().int().nonnegative().nullable(),
  vendorOrgId: z.string(),
  recipientId: z.string(),
};

export const VendorLinkEventDataSchemas = {
  'vendor_link.issued': z.object({ ...linkFacts, priority: PrioritySchema, siteId: z.string(), expiresAt: z.iso.datetime({ offset: true }) }),
  /** The recipient acknowledged: who (recipientId), from where, with what. */
  'vendor_link.used': z.object({ ...linkFacts, ip: z.string(), userAgent: z.string() }),
  /**
   * Refused attempts to open or submit a link, counted per window, reason, action and link: one
   * event per window however many requests came (a flood of garbage is not one audit row per
   * request; docs/decisions/0021). A tampered token names nothing it claims (none of it is
   * verifiable), so linkId and ticketId are null then. Client addresses stay in the service log.
   */
  'vendor_link.refusals_counted': z.object({
    reason: VendorLinkRefusalSchema,
    action: z.enum(['open', 'acknowledge']),
    linkId: z.uuid().nullable(),
    ticketId: z.uuid().nullable(),
    count: z.number().int().positive(),
    /** The window the attempts fell in: [windowStart, windowEnd). */
    windowStart: z.iso.datetime({ offset: true }),
    windowEnd: z.iso.datetime({ offset: true }),
  }),
  'vendor_link.revoked': z.object({ ...linkFacts, revokedBy: z.string() }),
} as const;
export type VendorLinkEventType = keyof typeof VendorLinkEventDataSchemas;

/**
 * A person's read of a ticket's content: requester, clinic staff, IT, vendor, admin or auditor
 * (docs/decisions/0010, 0022). Published before the content is returned, and the read is refused
 * when it cannot be: no silent access. Its id is derived from the person, the ticket and the hour
 * (`contentReadEventId`), so JetStream's duplicate window and the audit log keep one record per
 * person, ticket and hour however often the queue refreshes. The data say which ticket and which
 * part was read first in that hour, never any of the content.
 */
export const TICKET_CONTENT_READ = 'ticket.content_read';
/** A ticket action that came in by email (see TicketEventDataSchemas). */
export const TICKET_EMAIL_RECEIVED = 'ticket.email_received';
export const TICKET_CONTENT_PARTS = ['ticket', 'comments', 'timeline', 'escalation', 'watchers', 'list', 'stream', 'attachments'] as const;
export const TicketContentReadDataSchema = z.object({ number: z.string(), what: z.enum(TICKET_CONTENT_PARTS) }).strict();
export type TicketContentReadData = z.infer<typeof TicketContentReadDataSchema>;

/**
 * One download of an attachment's content (docs/decisions/0037): every download is its own
 * record, published and acknowledged before the first byte leaves; the data name the ticket and
 * the attachment, never the file name.
 */
export const TICKET_ATTACHMENT_READ = 'ticket.attachment_read';

/**
 * The data of every ticket event, one strict schema per type (docs/decisions/0003, 0022). Free
 * text a person wrote (a title, a description, a comment, a priority or reopen reason, the
 * question put to the requester, the hand-off note, the resolution note) is stored with the
 * ticket, and the event names it by id: `commentId`, `reasonId`, `questionId`, `noteId`,
 * `resolutionId`. A key not listed here makes the event invalid, so a reason cannot creep back
 * into JetStream, the audit log or a vendor's live stream: `publishEvent` refuses it.
 */
const facts = <S extends z.ZodRawShape>(shape: S) => z.object({ number: z.string(), ...shape }).strict();
const noteRef = z.uuid();
const count = z.number().int().nonnegative();
const tier = z.number().int().min(1).max(3);
const escalatedData = facts({
  level: count,
  repeat: count,
  fromTier: tier,
  tier,
  clock: z.string(),
  afterMinutes: z.number(),
  targets: z.array(EscalationTargetSchema),
  channels: z.array(NotificationChannelSchema),
  policyVersion: count,
});
export const TicketEventDataSchemas = {
  'ticket.created': facts({
    siteId: z.string(),
    category: z.string(),
    impact: ImpactSchema,
    urgency: UrgencySchema,
    patientCareAffected: z.boolean(),
    priority: PrioritySchema,
    tier,
    status: z.string(),
    policyVersion: count,
    requesterId: z.string(),
  }),
  // afterReopen: the first acknowledgement after a reopen ("picked up again", decision 38).
  'ticket.acknowledged': facts({ tier, afterReopen: z.literal(true).optional() }),
  'ticket.assigned': facts({ teamId: z.string().nullable(), assigneeId: z.string().nullable(), tier: tier.optional(), via: z.string().optional() }),
  'ticket.priority_changed': facts({ from: PrioritySchema, to: PrioritySchema, reasonId: noteRef.optional() }),
  'ticket.waiting_on_requester': facts({ questionId: noteRef.optional() }),
  'ticket.resumed': facts({}),
  'ticket.handed_to_vendor': facts({ vendorOrgId: z.string(), fromTier: tier, tier, noteId: noteRef.optional() }),
  'ticket.vendor_acknowledged': facts({ vendorOrgId: z.string().nullable(), via: z.string() }),
  'ticket.resolved': facts({ tier, resolutionId: noteRef.optional() }),
  'ticket.reopened': facts({ reasonId: noteRef.optional(), reopenPolicy: z.string() }),
  // auto: closed by the workflow's auto-close timer, actor system (decision 38).
  'ticket.closed': facts({ auto: z.literal(true).optional() }),
  'ticket.policy_migrated': facts({ fromVersion: count, toVersion: count }),
  'ticket.commented': facts({ commentId: noteRef, visibility: z.enum(['public', 'internal']), resumed: z.boolean() }),
  'ticket.escalated': escalatedData,
  'ticket.escalation_repeated': escalatedData,
  'ticket.sla_warning': facts({ clock: z.string(), percent: z.number(), tier }),
  'ticket.sla_breached': facts({ clock: z.string(), targetMinutes: z.number(), tier }),
  'ticket.watcher_added': facts({ watcherId: z.string() }),
  'ticket.watcher_removed': facts({ watcherId: z.string() }),
  /** The requester's answer to the satisfaction question after "Fixed"; the comment, if any, is stored with the ticket. */
  'ticket.satisfaction_recorded': facts({ rating: z.number().int().min(1).max(5), commented: z.boolean() }),
  [TICKET_CONTENT_READ]: TicketContentReadDataSchema,
  /**
   * A ticket opened or a public comment added by email (the notification service's inbound mail,
   * docs/decisions/0036): the channel is on record with the action's own events. `attachments`
   * counts the files the mail carried (not stored yet); never the sender's words.
   */
  [TICKET_EMAIL_RECEIVED]: facts({ channel: z.literal('email'), action: z.enum(['opened', 'commented']), commentId: z.string().optional(), attachments: z.number().int().nonnegative() }),
  // Attachments (docs/decisions/0037): ids, the type found in the content and the size; never the
  // file name nor any of the content.
  'ticket.attachment_added': facts({ attachmentId: z.uuid(), contentType: z.string(), sizeBytes: count, vendorVisible: z.boolean() }),
  'ticket.attachment_visibility_changed': facts({ attachmentId: z.uuid(), vendorVisible: z.boolean() }),
  [TICKET_ATTACHMENT_READ]: facts({ attachmentId: z.uuid() }),
  // Major incidents (docs/decisions/0040), emitted by the workflows. A status post's text stays in
  // the ticket service; its event names it by id.
  'ticket.incident_declared': facts({}),
  /** On the child: linked to the parent, by IT or automatically (a policy setting). */
  'ticket.incident_linked': facts({ parentTicketId: z.uuid(), auto: z.boolean() }),
  /** On the child: out of the incident, unlinked by IT or by its requester's "not fixed". */
  'ticket.incident_unlinked': facts({ parentTicketId: z.uuid(), reason: z.enum(['unlinked', 'not_fixed']) }),
  'ticket.incident_status_posted': facts({ statusId: z.uuid(), nextUpdateAt: z.iso.datetime({ offset: true }).nullable() }),
  /** On the parent: the announced next update time passed without a newer post; the owner is reminded. */
  'ticket.incident_update_due': facts({ nextUpdateAt: z.iso.datetime({ offset: true }) }),
} as const;
export type TicketEventType = keyof typeof TicketEventDataSchemas;

/**
 * Checks an event's data against its type's schema, when the type has one: the message of the
 * first problems (e.g. `ticket.reopened: unrecognized key "reason"`), or null when it is fine.
 * `complete` (the producer's check, in the workflow's activities) wants every fact present;
 * `keys` (publishEvent's check, for every publisher) refuses unknown keys and wrongly typed ones
 * and tolerates missing facts.
 */
export function eventDataProblem(event: Pick<EventEnvelope, 'type' | 'data'>, mode: 'complete' | 'keys' = 'complete'): string | null {
  const schema = (TicketEventDataSchemas as Record<string, z.ZodObject | undefined>)[event.type];
  if (!schema) return null;
  const r = (mode === 'keys' ? schema.partial() : schema).safeParse(event.data);
  if (r.success) return null;
  return `${event.type}: ${r.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ')}`;
}
