import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { MaintenanceWindowEditSchema, MaintenanceWindowSchema, type MaintenanceWindow } from '@tierline/contracts';
import { changeMaintenanceWindow, type MaintenanceChange } from '@tierline/ticket-store';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse, unavailableResponse } from './common.js';
import { actorRef, emit } from './v1_policies_common.js';
import {
  MAINTENANCE_TAGS,
  WindowParamSchema,
  checkCategory,
  checkTimes,
  finishedProblem,
  maintenanceEditors,
  refuse,
  tellHeldTickets,
  windowConflictResponse,
  windowNotFoundResponse,
  type Problem,
} from './v1_maintenance_common.js';

const responses = {
  200: { description: 'Changed', content: { 'application/json': { schema: MaintenanceWindowSchema } } },
  ...badRequestResponse,
  ...authErrorResponses,
  ...windowNotFoundResponse,
  ...windowConflictResponse,
  ...unavailableResponse,
} as const;

export const editMaintenanceRoute = createRoute({
  method: 'patch',
  path: '/api/v1/maintenance-windows/{id}',
  tags: MAINTENANCE_TAGS,
  summary: 'Edit a maintenance window (IT leads)',
  description:
    'A scheduled window may change anything; a running one only its title and its end (the tickets it holds then wait for the new end); an ended or cancelled one nothing (409). Publishes `maintenance.changed`.',
  security: [{ bearerAuth: [] }],
  middleware: [maintenanceEditors] as const,
  request: { params: WindowParamSchema, body: { required: true, content: { 'application/json': { schema: MaintenanceWindowEditSchema } } } },
  responses,
});

export const endMaintenanceRoute = createRoute({
  method: 'post',
  path: '/api/v1/maintenance-windows/{id}/end',
  tags: MAINTENANCE_TAGS,
  summary: 'End a running maintenance window now (IT leads)',
  description: 'The tickets it held start their clocks now. Publishes `maintenance.ended`.',
  security: [{ bearerAuth: [] }],
  middleware: [maintenanceEditors] as const,
  request: { params: WindowParamSchema },
  responses,
});

export const cancelMaintenanceRoute = createRoute({
  method: 'post',
  path: '/api/v1/maintenance-windows/{id}/cancel',
  tags: MAINTENANCE_TAGS,
  summary: 'Cancel a scheduled maintenance window (IT leads)',
  description: 'Only a window that has not started yet; a running one is ended instead. Publishes `maintenance.cancelled`.',
  security: [{ bearerAuth: [] }],
  middleware: [maintenanceEditors] as const,
  request: { params: WindowParamSchema },
  responses,
});

function checkEdit(edit: MaintenanceChange & { kind: 'edit' }, categories: readonly string[]) {
  const e = edit.edit;
  return (w: MaintenanceWindow, now: number): Problem | null => {
    if (w.state === 'ended' || w.state === 'cancelled') return finishedProblem(w);
    if (w.state === 'active') {
      if (e.startsAt !== undefined && Date.parse(e.startsAt) !== Date.parse(w.startsAt)) return { status: 400, field: 'startsAt', message: 'the window is running: its start cannot move' };
      if (e.category !== undefined && e.category !== w.category) return { status: 400, field: 'category', message: 'the window is running: its scope cannot change; end it and schedule another' };
      if (e.siteIds !== undefined && [...e.siteIds].sort().join() !== [...w.siteIds].sort().join()) {
        return { status: 400, field: 'siteIds', message: 'the window is running: its scope cannot change; end it and schedule another' };
      }
    }
    const startChanged = e.startsAt !== undefined && Date.parse(e.startsAt) !== Date.parse(w.startsAt);
    return checkCategory(e.category, categories) ?? checkTimes(e.startsAt ?? w.startsAt, e.endsAt ?? w.endsAt, now, startChanged);
  };
}

const checkEnd = (w: MaintenanceWindow): Problem | null =>
  w.state === 'active' ? null : w.state === 'scheduled' ? { status: 409, field: 'id', message: `maintenance window ${w.id} has not started; cancel it instead` } : finishedProblem(w);
const checkCancel = (w: MaintenanceWindow): Problem | null =>
  w.state === 'scheduled' ? null : w.state === 'active' ? { status: 409, field: 'id', message: `maintenance window ${w.id} is running; end it early instead` } : finishedProblem(w);

export function registerChangeMaintenance(app: OpenAPIHono<TicketAppEnv>): void {
  const run = async (deps: TicketAppEnv['Variables']['deps'], actor: Parameters<typeof actorRef>[0], id: string, change: MaintenanceChange, check: (w: MaintenanceWindow, now: number) => Problem | null) => {
    const outcome = await changeMaintenanceWindow(deps.sql, id, change, actorRef(actor), (w, now) => check(w, now), tellHeldTickets(deps, id));
    if (outcome.kind === 'not_found') throw new AppError('NOT_FOUND', `no maintenance window ${id}`);
    if (outcome.kind === 'refused') refuse(outcome.problem);
    await emit(deps, outcome.event);
    deps.logger.info({ windowId: id, change: change.kind, heldTickets: outcome.heldTickets.length }, 'maintenance window changed');
    return outcome.window;
  };
  app.openapi(editMaintenanceRoute, async (c) => {
    const change = { kind: 'edit' as const, edit: c.req.valid('json') };
    const deps = c.get('deps');
    const w = await run(deps, c.get('actor'), c.req.valid('param').id, change, checkEdit(change, deps.categories));
    return c.json(w, 200);
  });
  app.openapi(endMaintenanceRoute, async (c) => c.json(await run(c.get('deps'), c.get('actor'), c.req.valid('param').id, { kind: 'end' }, checkEnd), 200));
  app.openapi(cancelMaintenanceRoute, async (c) => c.json(await run(c.get('deps'), c.get('actor'), c.req.valid('param').id, { kind: 'cancel' }, checkCancel), 200));
}
