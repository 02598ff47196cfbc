import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError, hasRole, type Actor } from '@tierline/platform';
import { activeIncidentBanners, activeMaintenanceBanners } from '@tierline/ticket-store';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, unavailableResponse } from './common.js';

const IncidentBannerSchema = z
  .object({
    ticketId: z.uuid(),
    number: z.string(),
    category: z.string(),
    siteIds: z.array(z.string()).openapi({ description: 'The sites the incident touches: its own and its children’s.' }),
    childCount: z.number().int().nonnegative(),
    status: z
      .object({ id: z.uuid(), message: z.string(), postedAt: z.iso.datetime({ offset: true }), nextUpdateAt: z.iso.datetime({ offset: true }).nullable() })
      .nullable()
      .openapi({ description: 'The latest status IT posted; null until the first.' }),
  })
  .openapi('IncidentBanner');

const MaintenanceBannerSchema = z
  .object({
    id: z.uuid(),
    title: z.string().openapi({ description: 'What the IT lead called the planned downtime.' }),
    category: z.string().nullable().openapi({ description: 'null: every category.' }),
    siteIds: z.array(z.string()),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
  })
  .openapi('MaintenanceBanner');

export const StatusBannersSchema = z
  .object({ incidents: z.array(IncidentBannerSchema), maintenance: z.array(MaintenanceBannerSchema) })
  .openapi('StatusBanners');
export type StatusBanners = z.infer<typeof StatusBannersSchema>;

export const statusBannersRoute = createRoute({
  method: 'get',
  path: '/api/v1/status-banners',
  tags: ['Incidents'],
  summary: 'What the signed-in person should see at the top of the portal: open major incidents and maintenance windows',
  description: 'IT sees every one; clinic staff those that touch their sites. Allowed roles: it_agent, it_lead, clinic_staff.',
  security: [{ bearerAuth: [] }],
  responses: {
    200: { description: 'The banners, newest first', content: { 'application/json': { schema: StatusBannersSchema } } },
    ...authErrorResponses,
    ...unavailableResponse,
  },
});

/** The sites whose banners `actor` sees: all for IT, their own for clinic staff. */
function bannerSites(actor: Actor): readonly string[] | null {
  if (actor.isServiceAccount) throw new AppError('FORBIDDEN', 'status banners are for people signed in to the portal');
  if (hasRole(actor, 'it_agent', 'it_lead')) return null;
  if (hasRole(actor, 'clinic_staff')) return actor.sites;
  throw new AppError('FORBIDDEN', 'status banners are for IT and clinic staff');
}

export function registerStatusBanners(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(statusBannersRoute, async (c) => {
    const { sql } = c.get('deps');
    const sites = bannerSites(c.get('actor'));
    const [incidents, maintenance] = await Promise.all([activeIncidentBanners(sql, sites), activeMaintenanceBanners(sql, sites)]);
    return c.json({ incidents, maintenance }, 200);
  });
}
