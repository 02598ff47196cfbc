import { z } from '@hono/zod-openapi';
import { trimmedText } from './text.js';

/**
 * Maintenance windows (docs/decisions/0043): planned downtime for one category (or all) at a set
 * of sites. Tickets opened in a window's scope while it runs are held: they open normally, and
 * their clocks start when the window ends.
 */

const SITE_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
const instant = z.iso.datetime({ offset: true });

export const MaintenanceSiteIdsSchema = z
  .array(z.string().min(1).max(64).regex(SITE_PATTERN, 'must be a site id: lower-case letters, digits, "-" or "_"'))
  .min(1, 'name at least one site')
  .max(50)
  .refine((a) => new Set(a).size === a.length, 'must not repeat a site');

/** POST /api/v1/maintenance-windows. */
export const MaintenanceWindowCreateSchema = z
  .object({
    title: trimmedText(3, 200).openapi({ example: 'EHR upgrade' }),
    category: z.string().min(1).max(64).nullable().openapi({ description: 'The category in scope; null: every category.', example: 'ehr' }),
    siteIds: MaintenanceSiteIdsSchema.openapi({ example: ['north'] }),
    startsAt: instant.openapi({ example: '2026-12-06T02:00:00Z' }),
    endsAt: instant.openapi({ example: '2026-12-06T05:00:00Z' }),
  })
  .strict()
  .openapi('MaintenanceWindowInput');
export type MaintenanceWindowCreate = z.infer<typeof MaintenanceWindowCreateSchema>;

/** PATCH /api/v1/maintenance-windows/{id}: what is given changes. A running window may change its title and its end only. */
export const MaintenanceWindowEditSchema = MaintenanceWindowCreateSchema.partial()
  .strict()
  .refine((edit) => Object.keys(edit).length > 0, { message: 'name at least one of title, category, siteIds, startsAt or endsAt to change' })
  .openapi('MaintenanceWindowEdit', { minProperties: 1 });
export type MaintenanceWindowEdit = z.infer<typeof MaintenanceWindowEditSchema>;

export const MAINTENANCE_WINDOW_STATES = ['scheduled', 'active', 'ended', 'cancelled'] as const;

export const MaintenanceWindowSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    category: z.string().nullable(),
    siteIds: z.array(z.string()),
    startsAt: instant,
    /** When it ends (or ended): moved by an edit, and by an early end. */
    endsAt: instant,
    endedEarlyAt: instant.nullable(),
    cancelledAt: instant.nullable(),
    state: z.enum(MAINTENANCE_WINDOW_STATES),
    createdBy: z.string(),
    createdAt: instant,
    updatedBy: z.string(),
    updatedAt: instant,
  })
  .openapi('MaintenanceWindow');
export type MaintenanceWindow = z.infer<typeof MaintenanceWindowSchema>;

/**
 * A banner row for people of the window's sites while it runs: the maintenance part of
 * GET /api/v1/status-banners (its route owns the schema; this is the store's row).
 */
export interface MaintenanceBanner {
  id: string;
  title: string;
  /** null: every category. */
  category: string | null;
  siteIds: string[];
  startsAt: string;
  endsAt: string;
}

/** What a held ticket's workflow is told at its opening: the window and when it ends. */
export interface MaintenanceHold {
  windowId: string;
  /** ISO instant; the clocks start then. */
  until: string;
}
