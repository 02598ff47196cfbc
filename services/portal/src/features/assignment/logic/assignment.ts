/**
 * What the assignment screen computes in the browser: the editable form of the routing rules,
 * the body PUT /api/v1/assignment-rules takes, skills typed as a comma list, a shift's start and
 * end from `datetime-local` fields, and which server issue belongs to which field. The ticket
 * service stays the judge of validity; nothing here refuses a rule.
 */

import type { AssignmentRule } from '../../../lib/api/types.js';

export type { AssignmentRule };

/** One rule as the form holds it: every field a string, "" meaning "any" / "none". */
export interface RuleDraft {
  key: string;
  category: string;
  siteId: string;
  teamId: string;
  skills: string;
  escalationTeamId: string;
}

let nextKey = 0;
/** A stable React key, so focus and typed text stay with a rule when rules move. */
export const newRuleKey = (): string => `rule-${++nextKey}`;

export function toDrafts(rules: readonly AssignmentRule[]): RuleDraft[] {
  return [...rules]
    .sort((a, b) => a.position - b.position)
    .map((r) => ({
      key: newRuleKey(),
      category: r.category ?? '',
      siteId: r.siteId ?? '',
      teamId: r.teamId,
      skills: r.requiredSkills.join(', '),
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
export function toRulesBody(drafts: readonly RuleDraft[]): { rules: Omit<AssignmentRule, 'position'>[] } {
  return {
    rules: drafts.map((d) => ({
      category: orNull(d.category),
      siteId: orNull(d.siteId),
      teamId: d.teamId.trim(),
      requiredSkills: parseSkills(d.skills),
      escalationTeamId: orNull(d.escalationTeamId),
    })),
  };
}

/** Moves the rule at `from` by `by` places (-1 up, +1 down); out of range leaves the list as it is. */
export function moveRule<T>(list: readonly T[], from: number, by: number): T[] {
  const to = from + by;
  if (from < 0 || from >= list.length || to < 0 || to >= list.length) return [...list];
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item as T);
  return copy;
}

export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * The messages for one rule field (`rules.2.teamId`), plus those naming the rule as a whole
 * (`rules.2`, e.g. a duplicate) when `field` is null.
 */
export function ruleIssues(issues: readonly FieldIssue[], index: number, field: string | null): string[] {
  const base = `rules.${index}`;
  return issues.filter((i) => (field === null ? i.path === base : i.path === `${base}.${field}` || i.path.startsWith(`${base}.${field}.`))).map((i) => i.message);
}

/** Issues the rule fields do not show (e.g. `rules` itself, or a field this screen has no input for). */
export function otherIssues(issues: readonly FieldIssue[], ruleCount: number): FieldIssue[] {
  const shown = /^rules\.(\d+)(?:\.(category|siteId|teamId|requiredSkills|escalationTeamId)(?:\..*)?)?$/;
  return issues.filter((i) => {
    const m = shown.exec(i.path);
    return !m || Number(m[1]) >= ruleCount;
  });
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

/** The default new shift: from the next full hour, for `hours` hours. */
export function defaultShift(now: Date, hours = 8): { start: string; end: string } {
  const start = new Date(now);
  start.setMinutes(0, 0, 0);
  start.setHours(start.getHours() + 1);
  return { start: toLocalInput(start), end: toLocalInput(new Date(start.getTime() + hours * 3_600_000)) };
}
