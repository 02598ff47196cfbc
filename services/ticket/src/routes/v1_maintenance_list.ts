import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { MaintenanceWindowSchema } from '@tierline/contracts';
import { listMaintenanceWindows } from '@tierline/ticket-store';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse } from './common.js';
import { MAINTENANCE_TAGS, maintenanceReaders } from './v1_maintenance_common.js';

export const MaintenanceListSchema = z.object({ items: z.array(MaintenanceWindowSchema).openapi({ description: 'Newest start first.' }) }).openapi('MaintenanceWindowList');

export const listMaintenanceRoute = createRoute({
  method: 'get',
  path: '/api/v1/maintenance-windows',
  tags: MAINTENANCE_TAGS,
  summary: 'List maintenance windows (IT leads, admins)',
  description: 'Scheduled, running, ended and cancelled windows; `since` keeps those ending after an instant.',
  security: [{ bearerAuth: [] }],
  middleware: [maintenanceReaders] as const,
  request: { query: z.object({ since: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Windows ending after this instant; default: all.' }) }) },
  responses: {
    200: { description: 'The windows', content: { 'application/json': { schema: MaintenanceListSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

export function registerListMaintenance(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(listMaintenanceRoute, async (c) => {
    const { since } = c.req.valid('query');
    const items = await listMaintenanceWindows(c.get('deps').sql, since ? new Date(since) : null);
    return c.json({ items }, 200);
  });
}
