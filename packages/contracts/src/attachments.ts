import { z } from '@hono/zod-openapi';

/**
 * Files attached to a ticket (docs/decisions/0037). The type is the one found in the content
 * (magic bytes), never the one the file name or the browser claimed; photos are stored without
 * their location and camera metadata.
 */
export const ATTACHMENT_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'application/pdf', 'text/plain'] as const;
export const AttachmentContentTypeSchema = z.enum(ATTACHMENT_CONTENT_TYPES);
export type AttachmentContentType = z.infer<typeof AttachmentContentTypeSchema>;

export const AttachmentSchema = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    fileName: z.string().openapi({ description: 'The name it was uploaded with, cleaned of paths and control characters; shown in Tierline only, never sent outside it.' }),
    contentType: AttachmentContentTypeSchema,
    sizeBytes: z.number().int().nonnegative(),
    uploadedBy: z.string(),
    uploadedAt: z.string(),
    vendorVisible: z.boolean().openapi({ description: "Whether the vendor the ticket is handed to may see it; IT decides, default no." }),
  })
  .openapi('Attachment');
export type Attachment = z.infer<typeof AttachmentSchema>;

export const AttachmentListSchema = z
  .object({
    items: z.array(AttachmentSchema),
    limits: z.object({ maxBytes: z.number().int().positive(), maxPerTicket: z.number().int().positive(), contentTypes: z.array(AttachmentContentTypeSchema) }),
  })
  .openapi('AttachmentList');

export const AttachmentVisibilityBodySchema = z.object({ vendorVisible: z.boolean() }).strict().openapi('AttachmentVisibility');
