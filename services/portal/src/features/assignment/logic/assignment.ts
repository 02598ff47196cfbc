/**
 * The assignment screen's forms, each checked by the body schema of the route it sends to
 * (@tierline/contracts, through `bodyResolver`): the routing rules (PUT /api/v1/assignment-rules),
 * a member's skills (PUT /api/v1/teams/{id}/members/{username}) and an on-call shift
 * (POST /api/v1/teams/{id}/on-call). Here: what each form holds, how it becomes the body (skills
 * typed as a comma list, "" meaning any, `datetime-local` times as instants) and which server
 * issue belongs to which field. The ticket service stays the judge (teams exist, no overlaps…).
 */
import { AssignmentRulesInputSchema, MemberBodySchema, OnCallShiftBodySchema, RotationBodySchema, TeamBodySchema, WEEKDAYS, type MemberBody, type Weekday } from '@tierline/contracts';
import type { z } from 'zod';
import type { AssignmentRule, Rotation, Team, TeamMember } from '../../../lib/api/types.js';
import { bodyResolver } from '../../../lib/forms.js';

export type { AssignmentRule };

// ---------------------------------------------------------------------------------------------
// Rules

/** One rule as the form holds it: every field a string, "" meaning "any" / "none"; skills as typed. */
export interface RuleDraft {
  category: string;
  siteId: string;
  teamId: string;
  requiredSkills: string;
  escalationTeamId: string;
}
export interface RulesForm {
  rules: RuleDraft[];
}
export const RULE_FIELDS = ['category', 'siteId', 'teamId', 'requiredSkills', 'escalationTeamId'] as const satisfies readonly (keyof RuleDraft)[];

export function toDrafts(rules: readonly AssignmentRule[]): RuleDraft[] {
  return [...rules]
    .sort((a, b) => a.position - b.position)
    .map((r) => ({
      category: r.category ?? '',
      siteId: r.siteId ?? '',
      teamId: r.teamId,
      requiredSkills: r.requiredSkills.join(', '),
      escalationTeamId: r.escalationTeamId ?? '',
    }));
}

/** "ehr, Network ,," → ["ehr", "network"]: trimmed, lower-cased (skills are), empty ones dropped. */
export function parseSkills(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
}

const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());

/** The PUT body: the whole list in order (the server numbers positions by index). */
export function toRulesBody(form: RulesForm): z.input<typeof AssignmentRulesInputSchema> {
  return {
    rules: form.rules.map((d) => ({
      category: orNull(d.category),
      siteId: orNull(d.siteId),
      teamId: d.teamId.trim(),
      requiredSkills: parseSkills(d.requiredSkills),
      escalationTeamId: orNull(d.escalationTeamId),
    })),
  };
}

export const rulesResolver = bodyResolver(AssignmentRulesInputSchema, toRulesBody);

type RulePath = `rules.${number}` | `rules.${number}.${(typeof RULE_FIELDS)[number]}`;
const RULE_PATH = new RegExp(`^rules\\.(\\d+)(?:\\.(${RULE_FIELDS.join('|')})(?:\\..*)?)?$`);

/**
 * The form field a server issue belongs to: a rule's field (`rules.2.requiredSkills.1` → the
 * skills of rule 3), or the rule as a whole (`rules.2`, e.g. a duplicate); undefined for what no
 * field shows (`rules` itself, a rule no longer on screen).
 */
export function ruleFieldOf(path: string, ruleCount: number): RulePath | undefined {
  const m = RULE_PATH.exec(path);
  if (!m || Number(m[1]) >= ruleCount) return undefined;
  return m[2] ? (`rules.${Number(m[1])}.${m[2] as (typeof RULE_FIELDS)[number]}` as const) : (`rules.${Number(m[1])}` as const);
}

// ---------------------------------------------------------------------------------------------
// Members

/** The PUT body for a member as stored, with `patch` applied; userId is left out on purpose (the service keeps the stored one). */
export function memberBody(m: TeamMember, patch: { skills?: string[]; available?: boolean }): MemberBody {
  return { displayName: m.displayName, skills: patch.skills ?? m.skills, available: patch.available ?? m.available };
}

/** A member's skills, typed as a comma list. */
export interface SkillsForm {
  skills: string;
}
export const skillsResolver = (m: TeamMember) => bodyResolver(MemberBodySchema, (v: SkillsForm) => memberBody(m, { skills: parseSkills(v.skills) }));
/** `skills` and `skills.2` (one of them) both belong to the skills field. */
export const skillsFieldOf = (path: string): 'skills' | undefined => (path === 'skills' || path.startsWith('skills.') ? 'skills' : undefined);

// ---------------------------------------------------------------------------------------------
// On-call shifts

/** A shift as the form holds it: start and end as `datetime-local` values, in the browser's time zone. */
export interface ShiftForm {
  username: string;
  startsAt: string;
  endsAt: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** A Date as a `datetime-local` value in the browser's time zone, to the minute. */
export function toLocalInput(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (read in the browser's time zone) as an ISO instant; null when empty or not a time. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The POST body: the local times as instants (left as typed when they are not times, for the schema to name). */
export function toShiftBody(v: ShiftForm): z.input<typeof OnCallShiftBodySchema> {
  return { username: v.username, startsAt: fromLocalInput(v.startsAt) ?? v.startsAt, endsAt: fromLocalInput(v.endsAt) ?? v.endsAt };
}

/** The words for a missing or unreadable time (the schema's own message otherwise). */
export function shiftMessage(issue: { code: string; path?: PropertyKey[] | undefined }): string | undefined {
  if (issue.code !== 'invalid_format') return undefined;
  if (issue.path?.[0] === 'startsAt') return 'enter a start date and time';
  if (issue.path?.[0] === 'endsAt') return 'enter an end date and time';
  return undefined;
}

export const shiftResolver = bodyResolver(OnCallShiftBodySchema, toShiftBody, { error: shiftMessage });
export const shiftFieldOf = (path: string): keyof ShiftForm | undefined => (path === 'username' || path === 'startsAt' || path === 'endsAt' ? path : undefined);

/** The default new shift: from the next full hour, for `hours` hours. */
export function defaultShift(now: Date, hours = 8): { startsAt: string; endsAt: string } {
  const start = new Date(now);
  start.setMinutes(0, 0, 0);
  start.setHours(start.getHours() + 1);
  return { startsAt: toLocalInput(start), endsAt: toLocalInput(new Date(start.getTime() + hours * 3_600_000)) };
}

// ---------------------------------------------------------------------------------------------
// Rotations

/** A rotation as the form holds it: participants as a comma list of usernames, in order; "" weekday = on the start date. */
export interface RotationForm {
  participants: string;
  handoffWeekday: string;
  handoffTime: string;
  lengthDays: string;
  timeZone: string;
  startDate: string;
}
export const ROTATION_FIELDS = ['participants', 'handoffWeekday', 'handoffTime', 'lengthDays', 'timeZone', 'startDate'] as const satisfies readonly (keyof RotationForm)[];

/** "alex.agent, Lee.Lead ,," → ["alex.agent", "lee.lead"] (usernames are lower-case). */
export function parseUsernames(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
}

/** The form for a stored rotation, or a new weekly one (Mondays 09:00 in the team's zone, from today). */
export function rotationForm(r: Rotation | null, defaults: { timeZone: string; participants: readonly string[]; today: string }): RotationForm {
  if (r) {
    return {
      participants: r.participants.join(', '),
      handoffWeekday: r.handoffWeekday ?? '',
      handoffTime: r.handoffTime,
      lengthDays: String(r.lengthDays),
      timeZone: r.timeZone,
      startDate: r.startDate,
    };
  }
  return { participants: defaults.participants.join(', '), handoffWeekday: 'mon', handoffTime: '09:00', lengthDays: '7', timeZone: defaults.timeZone, startDate: defaults.today };
}

/** The PUT body (a length that is not a number is sent as typed, for the schema to name). */
export function toRotationBody(v: RotationForm): z.input<typeof RotationBodySchema> {
  const length = v.lengthDays.trim() === '' ? Number.NaN : Number(v.lengthDays);
  return {
    participants: parseUsernames(v.participants),
    handoffWeekday: v.handoffWeekday === '' ? null : (v.handoffWeekday as z.input<typeof RotationBodySchema>['handoffWeekday']),
    handoffTime: v.handoffTime,
    lengthDays: length,
    timeZone: v.timeZone.trim(),
    startDate: v.startDate,
  };
}

/** The words for an unreadable length or date (the schema's own message otherwise). */
export function rotationMessage(issue: { code: string; path?: PropertyKey[] | undefined }): string | undefined {
  if (issue.path?.[0] === 'lengthDays' && issue.code === 'invalid_type') return 'enter a number of days';
  if (issue.path?.[0] === 'startDate' && issue.code === 'invalid_format') return 'enter a start date';
  return undefined;
}

export const rotationResolver = bodyResolver(RotationBodySchema, toRotationBody, { error: rotationMessage });
/** `participants.2` (one of them) belongs to the participants field. */
export const rotationFieldOf = (path: string): keyof RotationForm | undefined => {
  const head = path.split('.')[0] as keyof RotationForm;
  return (ROTATION_FIELDS as readonly string[]).includes(head) ? head : undefined;
};

/** The viewer's own IANA time zone, in which upcoming shifts are shown. */
export const viewerTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** An instant as the viewer reads it: weekday, date and time in their time zone. */
export function inViewerZone(iso: string, timeZone = viewerTimeZone()): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
}

/** Directory people not yet in the team whose name or username contains `text` (case-insensitive). */
export function searchPeople<P extends { username: string; displayName: string }>(people: readonly P[], members: readonly { username: string }[], text: string): P[] {
  const q = text.trim().toLowerCase();
  const taken = new Set(members.map((m) => m.username));
  return people.filter((p) => !taken.has(p.username) && (q === '' || p.username.includes(q) || p.displayName.toLowerCase().includes(q)));
}

// ---------------------------------------------------------------------------------------------
// Working hours

/** A team's working hours as the form holds them: one interval per day, both times empty = closed. */
export interface HoursForm {
  timeZone: string;
  days: Record<Weekday, { start: string; end: string }>;
}

/** The form for a team's stored hours (the first interval of each day; a team edited here has one a day). */
export function hoursForm(team: Pick<Team, 'timeZone' | 'weeklyHours'>): HoursForm {
  const days = Object.fromEntries(WEEKDAYS.map((d) => [d, { start: team.weeklyHours[d][0]?.start ?? '', end: team.weeklyHours[d][0]?.end ?? '' }])) as HoursForm['days'];
  return { timeZone: team.timeZone, days };
}

/** The PUT /api/v1/teams/{id} body: the team as stored with these hours; a day with both times empty is closed. */
export function toTeamBody(team: Pick<Team, 'name' | 'tier' | 'leadUsername'>, v: HoursForm): z.input<typeof TeamBodySchema> {
  const weeklyHours = Object.fromEntries(
    WEEKDAYS.map((d) => {
      const { start, end } = v.days[d];
      return [d, start === '' && end === '' ? [] : [{ start, end }]];
    }),
  ) as z.input<typeof TeamBodySchema>['weeklyHours'];
  return { name: team.name, tier: team.tier, timeZone: v.timeZone.trim(), weeklyHours, leadUsername: team.leadUsername };
}

export const hoursResolver = (team: Pick<Team, 'name' | 'tier' | 'leadUsername'>) => bodyResolver(TeamBodySchema, (v: HoursForm) => toTeamBody(team, v));
/** Where a server issue shows: `weeklyHours.mon.0.end` under Monday, `timeZone` under the zone. */
export const hoursFieldOf = (path: string): 'timeZone' | `weeklyHours.${Weekday}` | undefined => {
  if (path === 'timeZone') return 'timeZone';
  const day = /^weeklyHours\.(mon|tue|wed|thu|fri|sat|sun)(\.|$)/.exec(path)?.[1] as Weekday | undefined;
  return day ? `weeklyHours.${day}` : undefined;
};
