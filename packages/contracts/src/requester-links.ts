import { z } from '@hono/zod-openapi';

/**
 * The identity service's `POST /api/v1/requester-links`, which the notification service calls
 * when it tells a requester that her ticket is resolved: one definition for both sides of the
 * call (docs/decisions/0035).
 */
export const CreateRequesterLinksSchema = z
  .object({
    ticketId: z.uuid(),
    ticketNumber: z.string().min(1).max(32),
    recipientId: z.string().min(1).max(64).openapi({ description: "Keycloak id of the person who gets the message: the ticket's requester." }),
    idempotencyKey: z.string().min(1).max(300).openapi({ description: "The update's key: the same key and recipient give the same pair of links." }),
  })
  .strict()
  .openapi('CreateRequesterLinks');
export type CreateRequesterLinks = z.infer<typeof CreateRequesterLinksSchema>;

export const RequesterLinksIssuedSchema = z
  .object({
    fixedUrl: z.url().openapi({ description: 'The "Fixed" link. A bearer credential: do not log it.' }),
    notFixedUrl: z.url().openapi({ description: 'The "Not fixed" link. A bearer credential: do not log it.' }),
    expiresAt: z.iso.datetime({ offset: true }),
  })
  .openapi('RequesterLinksIssued');
export type RequesterLinksIssued = z.infer<typeof RequesterLinksIssuedSchema>;

/** What "Fixed" and "Not fixed" do. */
export const REQUESTER_LINK_ANSWERS = ['fixed', 'not_fixed'] as const;
export const RequesterLinkAnswerSchema = z.enum(REQUESTER_LINK_ANSWERS);
export type RequesterLinkAnswer = z.infer<typeof RequesterLinkAnswerSchema>;

/** The one optional question after "Fixed": how satisfied, 1 (not at all) to 5 (very), and an optional short comment. */
export const SatisfactionSchema = z
  .object({
    rating: z.number().int().min(1).max(5),
    comment: z.string().trim().max(500).nullable(),
  })
  .strict()
  .openapi('Satisfaction');
export type Satisfaction = z.infer<typeof SatisfactionSchema>;

/**
 * Requester links' own events (identity service, aggregate `requester_link`): ids and facts only,
 * never the token (a bearer credential) nor the reason or comment the requester wrote (those are
 * stored with the ticket; its ticket.reopened and ticket.satisfaction_recorded events name them).
 */
const requesterLinkFacts = {
  linkId: z.uuid(),
  ticketId: z.uuid(),
  ticketNumber: z.string(),
  recipientId: z.string(),
};
/** Why a presented link is refused; the page says which, the service log records it. */
export const REQUESTER_LINK_REFUSALS = ['tampered', 'unknown', 'expired', 'used', 'wrong_recipient', 'not_resolved'] as const;
export type RequesterLinkRefusal = (typeof REQUESTER_LINK_REFUSALS)[number];
export const RequesterLinkEventDataSchemas = {
  'requester_link.issued': z.object({ ...requesterLinkFacts, expiresAt: z.iso.datetime({ offset: true }) }).strict(),
  /** The requester pressed a button: which, from where, with what. Both links of the pair are spent. */
  'requester_link.used': z.object({ ...requesterLinkFacts, answer: RequesterLinkAnswerSchema, ip: z.string(), userAgent: z.string() }).strict(),
} as const;
export type RequesterLinkEventType = keyof typeof RequesterLinkEventDataSchemas;
