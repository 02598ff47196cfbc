/**
 * A ticket's clocks (response, resolution and the vendor's two): plain state plus time. A clock
 * counts calendar time (business hours, weekends and holidays honoured) while it runs; it can be
 * paused (waiting on the requester), resumed, stopped (acknowledged, resolved) and re-based on
 * another calendar or target (a priority change, a policy migration) without losing counted time.
 *
 * Pure functions of the clock and an instant (epoch ms): no Temporal, no I/O, no `Date.now()`.
 * The ticket workflow runs them, and so does the policy preview.
 */
import type { Calendar, ClockName, ClockState } from '@tierline/contracts';
import { MS_PER_MINUTE, addBusinessMs, businessMsBetween } from '../policy/calendar.js';

/** The calendar named by a clock; the caller decides what a missing calendar means (the workflow fails the run). */
export type CalendarOf = (name: string) => Calendar;

/** A new clock, running from `startMs` or not started yet (null). */
export function newClock(name: ClockName, calendar: string, targetMinutes: number, startMs: number | null): ClockState {
  return {
    name,
    calendar,
    targetMinutes,
    elapsedBeforeMs: 0,
    runningSinceMs: startMs,
    state: startMs === null ? 'not_started' : 'running',
    stoppedAtMs: null,
    warningsSent: [],
    breached: false,
  };
}

/** Calendar milliseconds the clock has counted by `at`. */
export function elapsedMs(c: ClockState, at: number, calendarOf: CalendarOf): number {
  return c.runningSinceMs === null ? c.elapsedBeforeMs : c.elapsedBeforeMs + businessMsBetween(calendarOf(c.calendar), c.runningSinceMs, at);
}

/** The instant a running clock reaches `clockMs` of counted time; null when it is not running. */
export function instantAt(c: ClockState, clockMs: number, calendarOf: CalendarOf): number | null {
  if (c.state !== 'running' || c.runningSinceMs === null) return null;
  const remaining = clockMs - c.elapsedBeforeMs;
  return remaining <= 0 ? c.runningSinceMs : addBusinessMs(calendarOf(c.calendar), c.runningSinceMs, remaining);
}

/** The instant a running clock reaches its target; null when it is not running. */
export function dueAt(c: ClockState, calendarOf: CalendarOf): number | null {
  return instantAt(c, c.targetMinutes * MS_PER_MINUTE, calendarOf);
}

export function pauseClock(c: ClockState, at: number, calendarOf: CalendarOf): void {
  if (c.state !== 'running') return;
  c.elapsedBeforeMs = elapsedMs(c, at, calendarOf);
  c.runningSinceMs = null;
  c.state = 'paused';
}

export function resumeClock(c: ClockState, at: number): void {
  if (c.state !== 'paused') return;
  c.runningSinceMs = at;
  c.state = 'running';
}

export function stopClock(c: ClockState, at: number, calendarOf: CalendarOf): void {
  if (c.state === 'stopped' || c.state === 'not_started') return;
  c.elapsedBeforeMs = elapsedMs(c, at, calendarOf);
  c.runningSinceMs = null;
  c.state = 'stopped';
  c.stoppedAtMs = at;
}

/** (Re)starts a clock from zero at `at`: no counted time, no warnings sent, not breached. */
export function startClock(c: ClockState, at: number, calendar: string, targetMinutes: number): void {
  Object.assign(c, {
    calendar,
    targetMinutes,
    elapsedBeforeMs: 0,
    runningSinceMs: at,
    state: 'running',
    stoppedAtMs: null,
    warningsSent: [],
    breached: false,
  } satisfies Partial<ClockState>);
}

/** Re-bases a clock on another calendar or target without losing counted time. */
export function rebaseClock(c: ClockState, at: number, calendar: string, targetMinutes: number, calendarOf: CalendarOf): void {
  const running = c.state === 'running';
  c.elapsedBeforeMs = elapsedMs(c, at, calendarOf);
  c.runningSinceMs = running ? at : null;
  c.calendar = calendar;
  c.targetMinutes = targetMinutes;
  c.breached = c.elapsedBeforeMs >= targetMinutes * MS_PER_MINUTE;
}
