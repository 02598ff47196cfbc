import { z } from '@hono/zod-openapi';
import { PrioritySchema } from './tickets.js';

/**
 * The identity service's `POST /api/v1/vendor-links`, which the notification service calls for
 * each vendor recipient of a page: one definition for both sides of the call.
 */
/** Site, organisation and user ids as the directory writes them. */
const vendorLinkId = z.string().min(1).max(64);

export const CreateVendorLinkSchema = z
  .object({
    ticketId: z.uuid(),
    ticketNumber: z.string().min(1).max(32),
    priority: PrioritySchema,
    siteId: vendorLinkId,
    level: z.number().int().nonnegative().nullable().openapi({ description: 'The escalation level that reached the vendor; null for a hand-off.' }),
    vendorOrgId: vendorLinkId,
    recipientId: vendorLinkId.openapi({ description: 'Keycloak id of the vendor user the link is for.' }),
    deadlineAt: z.iso.datetime({ offset: true }).nullable().openapi({ description: 'The vendor contract deadline the page shows.' }),
    idempotencyKey: z.string().min(1).max(300).openapi({ description: "The notification command's key: the same key and recipient give the same link." }),
  })
  .strict()
  .openapi('CreateVendorLink');
export type CreateVendorLink = z.infer<typeof CreateVendorLinkSchema>;

export const VendorLinkIssuedSchema = z
  .object({
    id: z.uuid(),
    url: z.url().openapi({ description: 'The link to put into the message. A bearer credential: do not log it.' }),
    expiresAt: z.iso.datetime({ offset: true }),
  })
  .openapi('VendorLinkIssued');

export type VendorLinkIssued = z.infer<typeof VendorLinkIssuedSchema>;
