import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { MaintenanceWindowCreateSchema, MaintenanceWindowSchema } from '@tierline/contracts';
import { createMaintenanceWindow } from '@tierline/ticket-store';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse } from './common.js';
import { actorRef, emit } from './v1_policies_common.js';
import { MAINTENANCE_TAGS, checkCategory, checkTimes, maintenanceEditors, refuse } from './v1_maintenance_common.js';

export const createMaintenanceRoute = createRoute({
  method: 'post',
  path: '/api/v1/maintenance-windows',
  tags: MAINTENANCE_TAGS,
  summary: 'Schedule a maintenance window (IT leads)',
  description:
    'Tickets opened in its scope (the category, or every category when null, at the sites) while it runs open normally but do not escalate, warn or page until it ends. Publishes `maintenance.scheduled`.',
  security: [{ bearerAuth: [] }],
  middleware: [maintenanceEditors] as const,
  request: { body: { required: true, content: { 'application/json': { schema: MaintenanceWindowCreateSchema } } } },
  responses: {
    201: { description: 'Scheduled', content: { 'application/json': { schema: MaintenanceWindowSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

export function registerCreateMaintenance(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(createMaintenanceRoute, async (c) => {
    const deps = c.get('deps');
    const body = c.req.valid('json');
    const problem = checkCategory(body.category, deps.categories) ?? checkTimes(body.startsAt, body.endsAt, Date.now(), true);
    if (problem) refuse(problem);
    const { window, event } = await createMaintenanceWindow(deps.sql, body, actorRef(c.get('actor')));
    await emit(deps, event);
    return c.json(window, 201, { location: `/api/v1/maintenance-windows/${window.id}` });
  });
}
