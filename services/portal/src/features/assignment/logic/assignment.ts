/**
 * The assignment screen's forms, each checked by the body schema of the route it sends to
 * (@tierline/contracts, through `bodyResolver`): the routing rules (PUT /api/v1/assignment-rules),
 * a member's skills (PUT /api/v1/teams/{id}/members/{username}) and an on-call shift
 * (POST /api/v1/teams/{id}/on-call). Here: what each form holds, how it becomes the body (skills
 * typed as a comma list, "" meaning any, `datetime-local` times as instants) and which server
 * issue belongs to which field. The ticket service stays the judge (teams exist, no overlaps…).
 */
import { AssignmentRulesInputSchema, MemberBodySchema, OnCallShiftBodySchema, type MemberBody } from '@tierline/contracts';
import type { z } from 'zod';
import type { AssignmentRule, TeamMember } from '../../../lib/api/types.js';
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
