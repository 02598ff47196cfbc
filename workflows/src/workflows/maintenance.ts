/**
 * The maintenance hold (docs/decisions/0043). A ticket opened while a maintenance window runs in
 * its scope opens normally (recorded, assigned, visible) but its response and resolution clocks
 * wait, paused at zero, until the window ends: nothing escalates, warns or pages meanwhile. At the
 * end the clocks start, on the rule's calendar (business hours and daylight saving as always), if
 * the ticket is still open. Tickets opened before the window never pass here and keep their clocks.
 *
 * The window may move: the ticket service signals `maintenanceChanged` to every ticket it may
 * hold, and the workflow reads the window's end again through an activity, as it also does when
 * the end it knows arrives (an extension it was not told of still holds it).
 */
import { patched, proxyActivities, setHandler } from '@temporalio/workflow';
import { isOpenStatus, pauseClock, resumeClock } from '@tierline/domain';
import { maintenanceChangedSignal, type TicketWorkflowInput } from '@tierline/ticket-workflow';
import type { TicketActivities } from '../activities/index.js';
import { SYSTEM, type TicketRun } from './run.js';

/** The patch behind which a ticket opened in a window is held. */
export const MAINTENANCE_HOLD_PATCH = 'maintenance-hold';

const { maintenanceWindowEnd } = proxyActivities<Pick<TicketActivities, 'maintenanceWindowEnd'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** At the opening, before anything is recorded: holds the clocks when the ticket service found a running window. */
export function holdAtOpening(run: TicketRun, input: TicketWorkflowInput): void {
  const m = input.maintenance;
  const openedAt = Date.parse(input.ticket.createdAt);
  if (!m || Date.parse(m.until) <= openedAt || !patched(MAINTENANCE_HOLD_PATCH)) return;
  const { state } = run;
  pauseClock(state.clocks.response, openedAt, run.ctx.calendar);
  pauseClock(state.clocks.resolution, openedAt, run.ctx.calendar);
  state.maintenanceHold = { windowId: m.windowId, until: m.until };
}

/** The held ticket's event, recorded right after its opening. */
export async function recordHold(run: TicketRun): Promise<void> {
  const hold = run.state.maintenanceHold;
  if (hold) await run.record(run.event('ticket.maintenance_held', SYSTEM, { windowId: hold.windowId, until: hold.until }));
}

/** The window changed: read it again at the next step. */
export function registerMaintenanceSignal(run: TicketRun): void {
  setHandler(maintenanceChangedSignal, ({ windowId }) => {
    const hold = run.state.maintenanceHold;
    if (!hold || hold.windowId !== windowId) return;
    hold.recheck = true;
    run.version++;
  });
}

/**
 * When the hold next needs the workflow's attention: its end as known, or now when the window
 * changed (a signal may arrive while a step runs, after which the loop would not notice it); null
 * when not held.
 */
export function holdWakeAt(run: TicketRun): number | null {
  const hold = run.state.maintenanceHold;
  if (!hold) return null;
  return hold.recheck ? run.now() : Date.parse(hold.until);
}

/**
 * In the main loop, before anything fires: when the known end has come or the window changed,
 * reads the window's end; a later end holds on, an end now or past releases the ticket, its
 * clocks starting at that end (a cancelled window: now).
 */
export async function checkHold(run: TicketRun): Promise<void> {
  const hold = run.state.maintenanceHold;
  if (!hold || (!hold.recheck && run.now() < Date.parse(hold.until))) return;
  // Cleared before the read: a change signalled while it runs asks for another.
  hold.recheck = false;
  const end = await maintenanceWindowEnd(hold.windowId);
  const now = run.now();
  if (end !== null && Date.parse(end) > now) {
    if (end !== hold.until) {
      hold.until = end;
      run.version++;
    }
    return;
  }
  const at = Math.max(Date.parse(run.state.openedAt), Math.min(end === null ? now : Date.parse(end), now));
  release(run, at);
  run.version++;
  await run.record(run.event('ticket.maintenance_released', SYSTEM, { windowId: hold.windowId }));
}

/** The clocks start at `at`, unless the ticket left the open statuses or waits on its requester meanwhile. */
function release(run: TicketRun, at: number): void {
  const { state } = run;
  state.maintenanceHold = null;
  if (!isOpenStatus(state.status) || state.status === 'waiting_on_requester') return;
  resumeClock(state.clocks.response, at);
  resumeClock(state.clocks.resolution, at);
}
