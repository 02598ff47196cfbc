/**
 * What the maintenance-window routes share (docs/decisions/0043): who may read and change them,
 * the checks of a window's times and scope, and how a change reaches the tickets it holds.
 */
import { z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ErrorEnvelopeSchema, type MaintenanceWindow } from '@tierline/contracts';
import { AppError, hasRole, type Actor } from '@tierline/platform';
import { maintenanceChangedSignal, ticketWorkflowId } from '@tierline/ticket-workflow';
import type { TicketAppEnv, TicketDeps } from '../deps.js';

export const MAINTENANCE_TAGS = ['Maintenance windows'];
const MIN = 60_000;
/** A window longer than this is refused: a forgotten one would silence escalation for too long. */
export const MAX_WINDOW_DAYS = 7;
/** How far in the past a new start may lie (a form filled in for "now" takes a moment). */
export const START_GRACE_MINUTES = 5;

// IT leads schedule and change windows; admins (and IT leads) read them.
export const canReadMaintenance = (a: Actor): boolean => hasRole(a, 'it_lead', 'admin');
export const canEditMaintenance = (a: Actor): boolean => hasRole(a, 'it_lead');

export const maintenanceReaders = createMiddleware<TicketAppEnv>(async (c, next) => {
  if (!canReadMaintenance(c.get('actor'))) throw new AppError('FORBIDDEN', 'maintenance windows are visible to IT leads and admins only');
  await next();
});
export const maintenanceEditors = createMiddleware<TicketAppEnv>(async (c, next) => {
  if (!canEditMaintenance(c.get('actor'))) throw new AppError('FORBIDDEN', 'only IT leads may schedule or change maintenance windows');
  await next();
});

export const WindowParamSchema = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

const errorContent = { 'application/json': { schema: ErrorEnvelopeSchema } };
export const windowNotFoundResponse = { 404: { description: 'No such maintenance window', content: errorContent } } as const;
export const windowConflictResponse = {
  409: { description: 'The window’s state does not allow it (ended, cancelled, running); `message` says why', content: errorContent },
} as const;

export interface Problem {
  status: 400 | 409;
  field: string;
  message: string;
}

/** A 400 naming the field, or a 409 about the window's state. */
export function refuse(p: Problem): never {
  if (p.status === 409) throw new AppError('CONFLICT', p.message);
  throw new AppError('BAD_REQUEST', `invalid request: ${p.field}`, [{ path: p.field, message: p.message }]);
}

export function checkCategory(category: string | null | undefined, categories: readonly string[]): Problem | null {
  if (category === null || category === undefined || categories.includes(category)) return null;
  return { status: 400, field: 'category', message: `unknown category "${category}"; expected one of ${categories.join(', ')}, or null for every category` };
}

/** The times of a window as it would be: end after start, not over, not longer than a week. */
export function checkTimes(startsAt: string, endsAt: string, now: number, startChanged: boolean): Problem | null {
  const start = Date.parse(startsAt);
  const end = Date.parse(endsAt);
  if (startChanged && start < now - START_GRACE_MINUTES * MIN) return { status: 400, field: 'startsAt', message: `must not lie in the past (it is ${new Date(now).toISOString()})` };
  if (end <= start) return { status: 400, field: 'endsAt', message: `must be after startsAt (${new Date(start).toISOString()})` };
  if (end <= now) return { status: 400, field: 'endsAt', message: `must be in the future (it is ${new Date(now).toISOString()}); to end a running window now, end it early` };
  if (end - start > MAX_WINDOW_DAYS * 24 * 60 * MIN) return { status: 400, field: 'endsAt', message: `a window lasts at most ${MAX_WINDOW_DAYS} days` };
  return null;
}

export const finishedProblem = (w: MaintenanceWindow): Problem => ({
  status: 409,
  field: 'id',
  message: w.state === 'cancelled' ? `maintenance window ${w.id} was cancelled` : `maintenance window ${w.id} ended at ${w.endsAt}; schedule a new one`,
});

/**
 * Tells each ticket the window may hold to read it again (maintenanceChangedSignal), before the
 * change commits: a ticket whose workflow has finished has nothing to hold; any other failure
 * rolls the change back (503), so no ticket is left on a window that was not changed.
 */
export function tellHeldTickets(deps: Pick<TicketDeps, 'temporal' | 'logger'>, windowId: string) {
  return async (ticketIds: string[]): Promise<void> => {
    for (const id of ticketIds) {
      try {
        await deps.temporal.workflow.getHandle(ticketWorkflowId(id)).signal(maintenanceChangedSignal, { windowId });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) continue;
        deps.logger.error({ err, ticketId: id, windowId }, 'could not tell a held ticket of a maintenance window change');
        throw new AppError('UNAVAILABLE', 'the escalation engine is unreachable; the window was not changed, please retry');
      }
    }
  };
}
