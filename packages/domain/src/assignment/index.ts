/**
 * Automated assignment, the pure part: which rule routes a ticket, which member of a team gets
 * it, whether the team is at work, who is on call. No I/O, no clock, no randomness: the activity
 * (workflows/src/activities/assignment.ts) loads the rows and records the outcome; these functions decide.
 * Sandbox-safe like policy/calendar.ts, so workflow code may import them too.
 */
import type { BusinessHoursCalendar, Priority, Weekday, WorkingInterval } from '@tierline/contracts';
import { isWorkingTime } from '../policy/calendar.js';

// ---------------------------------------------------------------------------------------------
// Rules

export interface RuleMatchFields {
  position: number;
  /** null = any category. */
  category: string | null;
  /** null = any site. */
  siteId: string | null;
}

export interface AssignmentRule extends RuleMatchFields {
  teamId: string;
  requiredSkills: string[];
  /** The tier-2 team for tickets this rule routes; null = the default tier-2 team. */
  escalationTeamId: string | null;
}

const specificity = (r: RuleMatchFields): number => (r.category !== null ? 1 : 0) + (r.siteId !== null ? 1 : 0);

/**
 * The rule that routes a ticket: among the rules whose category and site match (null matches
 * anything), the most specific one (category and site > one of them > neither); equally specific
 * rules are decided by position, lowest first. So a lead orders rules to settle "category-only vs
 * site-only", and a catch-all can sit anywhere without swallowing more specific rules.
 * Null when nothing matches (no catch-all rule).
 */
export function matchRule<R extends RuleMatchFields>(rules: readonly R[], ticket: { category: string; siteId: string }): R | null {
  let best: R | null = null;
  for (const r of rules) {
    if (r.category !== null && r.category !== ticket.category) continue;
    if (r.siteId !== null && r.siteId !== ticket.siteId) continue;
    if (
      best === null ||
      specificity(r) > specificity(best) ||
      (specificity(r) === specificity(best) && r.position < best.position)
    ) {
      best = r;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Members

export interface CandidateMember {
  username: string;
  skills: readonly string[];
  available: boolean;
}

export interface ChooseOptions {
  /** Every one of these skills is needed; empty = anybody in the team. */
  requiredSkills: readonly string[];
  /** Open tickets per username; missing = 0. */
  openCounts: Readonly<Record<string, number>>;
  /** Epoch ms of each username's last automatic assignment; missing = never. */
  lastAssignedAt: Readonly<Record<string, number>>;
}

/**
 * The member who gets the ticket: available, holding every required skill, with the fewest open
 * tickets; on a tie the one whose last automatic assignment is longest ago (never = longest),
 * which makes equal load rotate round-robin; then by username, so the choice is deterministic.
 * Null when nobody qualifies.
 */
export function chooseAssignee<M extends CandidateMember>(members: readonly M[], opts: ChooseOptions): M | null {
  const eligible = members.filter((m) => m.available && opts.requiredSkills.every((s) => m.skills.includes(s)));
  const load = (m: M) => opts.openCounts[m.username] ?? 0;
  const last = (m: M) => opts.lastAssignedAt[m.username] ?? Number.NEGATIVE_INFINITY;
  let best: M | null = null;
  for (const m of eligible) {
    if (best === null) {
      best = m;
      continue;
    }
    const byLoad = load(m) - load(best);
    const byLast = last(m) - last(best);
    if (byLoad < 0 || (byLoad === 0 && (byLast < 0 || (byLast === 0 && m.username < best.username)))) best = m;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Working hours and on-call

export interface TeamHours {
  timeZone: string;
  /** A business_hours calendar's weeklyHours; a missing day is closed. */
  weeklyHours: Partial<Record<Weekday, readonly WorkingInterval[]>>;
}

const DAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** The team's hours as a business_hours calendar (no holidays: teams have none yet). */
export function teamCalendar(team: TeamHours): BusinessHoursCalendar {
  const weeklyHours = Object.fromEntries(DAYS.map((d) => [d, [...(team.weeklyHours[d] ?? [])]])) as BusinessHoursCalendar['weeklyHours'];
  return { mode: 'business_hours', timeZone: team.timeZone, weeklyHours, holidays: [] };
}

/** Whether the team is at work at `ms` (epoch milliseconds), on its own time zone and hours. */
export function isTeamWorkingTime(team: TeamHours, ms: number): boolean {
  return isWorkingTime(teamCalendar(team), ms);
}

/** Urgent tickets do not wait for the morning: out of hours they go to the on-call person. */
export const ON_CALL_PRIORITIES: readonly Priority[] = ['P1', 'P2'];

export function needsOnCall(priority: Priority, team: TeamHours, ms: number): boolean {
  return ON_CALL_PRIORITIES.includes(priority) && !isTeamWorkingTime(team, ms);
}

export interface ShiftLike {
  username: string;
  startsAtMs: number;
  endsAtMs: number;
}

/** The shift covering `ms` ([start, end)); shifts of one team do not overlap, so at most one. */
export function shiftAt<S extends ShiftLike>(shifts: readonly S[], ms: number): S | null {
  return shifts.find((s) => s.startsAtMs <= ms && ms < s.endsAtMs) ?? null;
}

/** Whether two half-open ranges [aStart, aEnd) and [bStart, bEnd) share an instant. */
export const rangesOverlap = (aStart: number, aEnd: number, bStart: number, bEnd: number): boolean => aStart < bEnd && bStart < aEnd;

export * from './rotation.js';
