import { z } from '@hono/zod-openapi';
import { ActorSchema } from './roles.js';
import { PrioritySchema } from './tickets.js';

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
 * An admin's or an auditor's read of a ticket's content (docs/decisions/0010). Published before
 * the content is returned, and the read is refused when it cannot be: no silent access. The data
 * say which ticket and which part was read, never any of the content.
 */
export const TICKET_CONTENT_READ = 'ticket.content_read';
export const TICKET_CONTENT_PARTS = ['ticket', 'comments', 'timeline', 'escalation', 'watchers'] as const;
export const TicketContentReadDataSchema = z.object({ number: z.string(), what: z.enum(TICKET_CONTENT_PARTS) }).strict();
export type TicketContentReadData = z.infer<typeof TicketContentReadDataSchema>;
