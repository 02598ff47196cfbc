/**
 * Semantic validation of an escalation policy, and rule lookup.
 *
 * zod (packages/contracts/src/policy.ts) checks the *shape*; this module checks what needs the
 * whole policy. It is zod-free and pure so the workflow sandbox can run it as well as the API.
 * Range checks that zod also makes are repeated where a mistake would break the clocks, because
 * a workflow may receive a policy that never went through the API's parser.
 *
 * Every issue names the offending field with a dotted path (`rules.0.levels.2.after.minutes`).
 * Rules enforced (each one is marked [Vn] below):
 *  V1  a calendar's time zone is a real IANA zone known to Intl;
 *  V2  working intervals are "HH:MM" with end after start (end ≤ start is "inverted"); "24:00"
 *      may only end an interval;
 *  V3  a day's intervals do not overlap (touching, e.g. 12:00–13:00 then 13:00–17:00, is fine);
 *  V4  a business_hours calendar has working hours on at least one weekday (else no deadline
 *      could ever be computed);
 *  V5  holidays are real dates "YYYY-MM-DD";
 *  V6  rules and vendor contracts reference calendars that exist;
 *  V7  every priority P1–P4 has exactly one default rule (one without categories), so every
 *      ticket finds a rule;
 *  V8  no two rules of one priority claim the same category (nor one rule twice), so "the most
 *      specific match" is unique; an empty category list is refused (omit it for a default);
 *  V9  targets are positive whole minutes, and response target ≤ resolution target
 *      (for the rule and for its vendor contract);
 *  V10 warnings are percentages strictly between 0 and 100, strictly increasing;
 *  V11 a rule has at least one level; every level has at least one target and one channel, and
 *      no channel twice;
 *  V12 no level fires after the resolution target: a level on either clock must have
 *      `after.minutes ≤ resolutionTargetMinutes`. Firing *at* the target (escalate on breach) is
 *      allowed; response-clock levels may fire after the *response* target (that is the usual
 *      "still not acknowledged" escalation), but past the resolution target the ticket has
 *      breached outright and that is the breach handler's business, not a level's;
 *  V13 levels of one clock are listed in strictly increasing minutes and never step down a
 *      tier (tiers are non-decreasing in that order);
 *  V14 repeatEveryMinutes and maxRepeats come together (both or neither), as positive integers;
 *  V15 a vendor target sits on a tier 3 level (the vendor is tier 3) and its rule has a
 *      vendorContract for that same vendor organisation (the vendor clock needs its targets
 *      and calendar);
 *  V16 the priority matrix is complete and monotonic: raising impact or urgency never makes the
 *      priority less urgent; patientCareRaisesBy is 0 or 1;
 *  V17 autoCloseAfterDays, when present, is a whole number of days from 1 to 30 (absent: the
 *      built-in default, DEFAULT_AUTO_CLOSE_AFTER_DAYS; decision 38);
 *  V18 duplicates, when present, has windowMinutes a whole number from 5 to 1440 and autoLink a
 *      boolean (absent: 120 minutes, no automatic linking; decision 42).
 */
import type {
  Calendar,
  EscalationClock,
  EscalationPolicy,
  Impact,
  PolicyIssue,
  PolicyRule,
  Priority,
  Urgency,
} from '@tierline/contracts';
import { MAX_AUTO_CLOSE_DAYS as AUTO_CLOSE_MAX_DAYS, MIN_AUTO_CLOSE_DAYS as AUTO_CLOSE_MIN_DAYS } from './auto-close.js';
import { isValidTimeZone, parseLocalTime } from './calendar.js';
import { duplicatesIssues } from './duplicates.js';

export type { PolicyIssue };

const PRIORITY_ORDER: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];
const IMPACT_ORDER: readonly Impact[] = ['one_user', 'department', 'whole_site'];
const URGENCY_ORDER: readonly Urgency[] = ['low', 'medium', 'high'];
const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const CLOCKS: readonly EscalationClock[] = ['response', 'resolution'];

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const isNonNegativeInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function isRealDate(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

function tryParseTime(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    return parseLocalTime(v);
  } catch {
    return undefined;
  }
}

function validateCalendar(name: string, cal: Calendar, issues: PolicyIssue[]): void {
  const at = `calendars.${name}`;
  // V1
  if (!isValidTimeZone(cal.timeZone)) {
    issues.push({ path: `${at}.timeZone`, message: `unknown time zone ${JSON.stringify(cal.timeZone)}; use an IANA name such as "America/New_York"` });
  }
  if (cal.mode !== 'business_hours') return;

  let anyHours = false;
  for (const day of WEEKDAY_KEYS) {
    const intervals = cal.weeklyHours?.[day] ?? [];
    const parsed: Array<{ i: number; s: number; e: number }> = [];
    intervals.forEach((iv, i) => {
      const p = `${at}.weeklyHours.${day}.${i}`;
      // V2
      const s = tryParseTime(iv.start);
      const e = tryParseTime(iv.end);
      if (s === undefined || s >= 24 * 60) {
        issues.push({ path: `${p}.start`, message: `start must be a local time "HH:MM" from 00:00 to 23:59, got ${JSON.stringify(iv.start)}` });
      }
      if (e === undefined) {
        issues.push({ path: `${p}.end`, message: `end must be a local time "HH:MM" from 00:00 to 24:00, got ${JSON.stringify(iv.end)}` });
      }
      if (s === undefined || e === undefined || s >= 24 * 60) return;
      if (e <= s) {
        issues.push({ path: `${p}.end`, message: `interval ${iv.start}–${iv.end} is inverted or empty: end must be after start` });
        return;
      }
      parsed.push({ i, s, e });
    });
    // V3
    const sorted = [...parsed].sort((a, b) => a.s - b.s);
    for (let k = 1; k < sorted.length; k++) {
      const prev = sorted[k - 1]!;
      const cur = sorted[k]!;
      if (cur.s < prev.e) {
        const later = Math.max(prev.i, cur.i);
        const other = Math.min(prev.i, cur.i);
        issues.push({
          path: `${at}.weeklyHours.${day}.${later}`,
          message: `interval ${intervals[later]!.start}–${intervals[later]!.end} overlaps ${at}.weeklyHours.${day}.${other} (${intervals[other]!.start}–${intervals[other]!.end})`,
        });
      }
    }
    if (parsed.length > 0) anyHours = true;
  }
  // V4
  if (!anyHours) {
    issues.push({ path: `${at}.weeklyHours`, message: 'a business_hours calendar needs working hours on at least one weekday; use mode "24x7" for round-the-clock' });
  }
  // V5
  (cal.holidays ?? []).forEach((h, i) => {
    if (!isRealDate(h)) issues.push({ path: `${at}.holidays.${i}`, message: `holiday must be a real date "YYYY-MM-DD", got ${JSON.stringify(h)}` });
  });
}

function validatePriorityMatrix(p: EscalationPolicy, issues: PolicyIssue[]): void {
  const pm = p.priorityMatrix;
  // V16
  if (pm.patientCareRaisesBy !== 0 && pm.patientCareRaisesBy !== 1) {
    issues.push({ path: 'priorityMatrix.patientCareRaisesBy', message: 'must be 0 or 1' });
  }
  const rank = (impact: Impact, urgency: Urgency): number | undefined => {
    const v = pm.matrix?.[impact]?.[urgency];
    const r = PRIORITY_ORDER.indexOf(v);
    return r < 0 ? undefined : r;
  };
  for (const impact of IMPACT_ORDER) {
    for (const urgency of URGENCY_ORDER) {
      if (rank(impact, urgency) === undefined) {
        issues.push({ path: `priorityMatrix.matrix.${impact}.${urgency}`, message: 'every impact × urgency cell needs a priority P1–P4' });
      }
    }
  }
  for (let i = 0; i < IMPACT_ORDER.length; i++) {
    for (let u = 0; u < URGENCY_ORDER.length; u++) {
      const impact = IMPACT_ORDER[i]!;
      const urgency = URGENCY_ORDER[u]!;
      const here = rank(impact, urgency);
      if (here === undefined) continue;
      const lowerImpact = i > 0 ? IMPACT_ORDER[i - 1]! : undefined;
      const lowerUrgency = u > 0 ? URGENCY_ORDER[u - 1]! : undefined;
      for (const [ni, nu, what] of [
        [lowerImpact, urgency, 'impact'],
        [impact, lowerUrgency, 'urgency'],
      ] as const) {
        if (ni === undefined || nu === undefined) continue;
        const below = rank(ni, nu);
        if (below !== undefined && here > below) {
          issues.push({
            path: `priorityMatrix.matrix.${impact}.${urgency}`,
            message: `${PRIORITY_ORDER[here]} is less urgent than ${ni}.${nu} (${PRIORITY_ORDER[below]}); raising ${what} must never lower the priority`,
          });
        }
      }
    }
  }
}

function validateRule(rule: PolicyRule, r: number, calendars: ReadonlySet<string>, issues: PolicyIssue[]): void {
  const at = `rules.${r}`;
  // V6
  if (!calendars.has(rule.calendar)) {
    issues.push({ path: `${at}.calendar`, message: `unknown calendar ${JSON.stringify(rule.calendar)}; defined: ${[...calendars].join(', ') || '(none)'}` });
  }
  // V8 (empty list)
  if (rule.categories !== undefined && rule.categories.length === 0) {
    issues.push({ path: `${at}.categories`, message: 'an empty category list matches nothing; omit categories for the default rule' });
  }
  // V9
  const resp = rule.responseTargetMinutes;
  const reso = rule.resolutionTargetMinutes;
  if (!isPositiveInt(resp)) issues.push({ path: `${at}.responseTargetMinutes`, message: 'must be a positive whole number of minutes' });
  if (!isPositiveInt(reso)) issues.push({ path: `${at}.resolutionTargetMinutes`, message: 'must be a positive whole number of minutes' });
  if (isPositiveInt(resp) && isPositiveInt(reso) && resp > reso) {
    issues.push({ path: `${at}.responseTargetMinutes`, message: `response target (${resp} min) is after the resolution target (${reso} min)` });
  }
  // V10
  (rule.warnings ?? []).forEach((w, i) => {
    if (typeof w !== 'number' || !(w > 0 && w < 100)) {
      issues.push({ path: `${at}.warnings.${i}`, message: `a warning is a percentage of the target strictly between 0 and 100, got ${w}` });
    } else if (i > 0 && !(w > rule.warnings[i - 1]!)) {
      issues.push({ path: `${at}.warnings.${i}`, message: `warnings must be strictly increasing (${rule.warnings[i - 1]} then ${w})` });
    }
  });

  // V11
  if (!rule.levels || rule.levels.length === 0) {
    issues.push({ path: `${at}.levels`, message: 'a rule needs at least one escalation level' });
  }
  const vendorIds = new Set(rule.vendorContract ? [rule.vendorContract.vendorOrgId] : []);
  const previous: Partial<Record<EscalationClock, { index: number; minutes: number; tier: number }>> = {};
  (rule.levels ?? []).forEach((level, l) => {
    const lp = `${at}.levels.${l}`;
    const { clock, minutes } = level.after;
    if (!CLOCKS.includes(clock)) {
      issues.push({ path: `${lp}.after.clock`, message: 'must be "response" or "resolution"' });
    }
    if (level.tier !== 1 && level.tier !== 2 && level.tier !== 3) {
      issues.push({ path: `${lp}.tier`, message: 'tier must be 1, 2 or 3' });
    }
    if (!isNonNegativeInt(minutes)) {
      issues.push({ path: `${lp}.after.minutes`, message: 'must be a non-negative whole number of minutes' });
    } else {
      // V12
      if (isPositiveInt(reso) && minutes > reso) {
        issues.push({
          path: `${lp}.after.minutes`,
          message: `a level after the resolution target: fires at ${minutes} min on the ${clock} clock, but the resolution target is ${reso} min`,
        });
      }
      // V13
      const prev = previous[clock];
      if (prev) {
        if (minutes <= prev.minutes) {
          issues.push({
            path: `${lp}.after.minutes`,
            message: `levels on the ${clock} clock must be in strictly increasing minutes: ${minutes} min does not come after ${at}.levels.${prev.index} (${prev.minutes} min)`,
          });
        }
        if (level.tier < prev.tier) {
          issues.push({
            path: `${lp}.tier`,
            message: `tier ${level.tier} is lower than tier ${prev.tier} of the earlier ${clock} level ${at}.levels.${prev.index}; escalation never steps down a tier`,
          });
        }
      }
      previous[clock] = { index: l, minutes, tier: level.tier };
    }
    // V11
    if (!level.targets || level.targets.length === 0) issues.push({ path: `${lp}.targets`, message: 'a level needs at least one target' });
    if (!level.channels || level.channels.length === 0) issues.push({ path: `${lp}.channels`, message: 'a level needs at least one channel' });
    (level.channels ?? []).forEach((c, i) => {
      if (level.channels.indexOf(c) !== i) issues.push({ path: `${lp}.channels.${i}`, message: `channel ${JSON.stringify(c)} is listed twice` });
    });
    // V14
    const hasEvery = level.repeatEveryMinutes !== undefined;
    const hasMax = level.maxRepeats !== undefined;
    if (hasEvery && !hasMax) issues.push({ path: `${lp}.maxRepeats`, message: 'maxRepeats is required with repeatEveryMinutes (repeat every M minutes up to K times)' });
    if (hasMax && !hasEvery) issues.push({ path: `${lp}.repeatEveryMinutes`, message: 'repeatEveryMinutes is required with maxRepeats (repeat every M minutes up to K times)' });
    if (hasEvery && !isPositiveInt(level.repeatEveryMinutes)) issues.push({ path: `${lp}.repeatEveryMinutes`, message: 'must be a positive whole number of minutes' });
    if (hasMax && !isPositiveInt(level.maxRepeats)) issues.push({ path: `${lp}.maxRepeats`, message: 'must be a positive whole number' });
    // V15
    (level.targets ?? []).forEach((t, i) => {
      if (t.kind !== 'vendor') return;
      if (level.tier !== 3) {
        issues.push({ path: `${lp}.targets.${i}`, message: `a vendor target belongs on a tier 3 level (the vendor is tier 3), not tier ${level.tier}` });
      }
      if (!vendorIds.has(t.vendorOrgId)) {
        issues.push({
          path: `${lp}.targets.${i}.vendorOrgId`,
          message: rule.vendorContract
            ? `vendor ${JSON.stringify(t.vendorOrgId)} differs from the rule's vendorContract (${JSON.stringify(rule.vendorContract.vendorOrgId)})`
            : `vendor ${JSON.stringify(t.vendorOrgId)} is escalated to, but the rule has no vendorContract (the vendor clock needs its calendar and targets)`,
        });
      }
    });
  });

  const vc = rule.vendorContract;
  if (vc) {
    const vp = `${at}.vendorContract`;
    // V6
    if (!calendars.has(vc.calendar)) {
      issues.push({ path: `${vp}.calendar`, message: `unknown calendar ${JSON.stringify(vc.calendar)}; defined: ${[...calendars].join(', ') || '(none)'}` });
    }
    // V9
    if (!isPositiveInt(vc.responseTargetMinutes)) issues.push({ path: `${vp}.responseTargetMinutes`, message: 'must be a positive whole number of minutes' });
    if (!isPositiveInt(vc.resolutionTargetMinutes)) issues.push({ path: `${vp}.resolutionTargetMinutes`, message: 'must be a positive whole number of minutes' });
    if (isPositiveInt(vc.responseTargetMinutes) && isPositiveInt(vc.resolutionTargetMinutes) && vc.responseTargetMinutes > vc.resolutionTargetMinutes) {
      issues.push({
        path: `${vp}.responseTargetMinutes`,
        message: `vendor response target (${vc.responseTargetMinutes} min) is after the vendor resolution target (${vc.resolutionTargetMinutes} min)`,
      });
    }
  }
}

/** Semantic problems of a (structurally valid) policy; an empty list means it may be published. */
export function validatePolicy(p: EscalationPolicy): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const calendars = p.calendars ?? {};
  for (const [name, cal] of Object.entries(calendars)) validateCalendar(name, cal, issues);
  validatePriorityMatrix(p, issues);
  // V17
  const days: unknown = p.autoCloseAfterDays;
  if (days !== undefined && !(isPositiveInt(days) && days >= AUTO_CLOSE_MIN_DAYS && days <= AUTO_CLOSE_MAX_DAYS)) {
    issues.push({
      path: 'autoCloseAfterDays',
      message: `must be a whole number of days from ${AUTO_CLOSE_MIN_DAYS} to ${AUTO_CLOSE_MAX_DAYS} (how long a resolved ticket waits before it closes on its own), got ${JSON.stringify(days)}`,
    });
  }

  // V18
  issues.push(...duplicatesIssues(p));

  const calendarNames = new Set(Object.keys(calendars));
  const rules = p.rules ?? [];
  rules.forEach((rule, r) => validateRule(rule, r, calendarNames, issues));

  // V7, V8: defaults and (priority, category) uniqueness.
  const defaults = new Map<Priority, number>();
  const claimed = new Map<string, number>(); // `${priority}/${category}` → rule index
  rules.forEach((rule, r) => {
    if (rule.categories === undefined) {
      const first = defaults.get(rule.priority);
      if (first !== undefined) {
        issues.push({ path: `rules.${r}`, message: `a second default rule for ${rule.priority} (rules.${first} is already the default, a rule without categories)` });
      } else {
        defaults.set(rule.priority, r);
      }
      return;
    }
    rule.categories.forEach((category, c) => {
      const key = `${rule.priority}/${category}`;
      const first = claimed.get(key);
      if (first !== undefined) {
        issues.push({
          path: `rules.${r}.categories.${c}`,
          message: first === r ? `category ${JSON.stringify(category)} is listed twice` : `duplicate rule: ${rule.priority} with category ${JSON.stringify(category)} is already covered by rules.${first}`,
        });
      } else {
        claimed.set(key, r);
      }
    });
  });
  for (const priority of PRIORITY_ORDER) {
    if (!defaults.has(priority)) {
      issues.push({ path: 'rules', message: `no default rule for ${priority}: every priority needs one rule without categories` });
    }
  }
  return issues;
}

/**
 * The rule a ticket of this priority and category runs under: a rule of that priority listing
 * the category (the most specific: fewest categories, then first listed) or else the priority's
 * default rule (no categories). `undefined` only for a policy that fails validatePolicy.
 */
export function ruleFor(policy: EscalationPolicy, priority: Priority, category?: string): PolicyRule | undefined {
  let best: PolicyRule | undefined;
  let fallback: PolicyRule | undefined;
  for (const rule of policy.rules) {
    if (rule.priority !== priority) continue;
    if (rule.categories === undefined) {
      fallback ??= rule;
    } else if (category !== undefined && rule.categories.includes(category)) {
      if (!best || rule.categories.length < (best.categories?.length ?? Infinity)) best = rule;
    }
  }
  return best ?? fallback;
}

/** Priority from the policy's impact × urgency matrix, raised when patient care is affected. */
export function priorityFor(policy: EscalationPolicy, impact: Impact, urgency: Urgency, patientCareAffected: boolean): Priority {
  const base = policy.priorityMatrix.matrix[impact][urgency];
  if (!patientCareAffected) return base;
  const i = PRIORITY_ORDER.indexOf(base) - policy.priorityMatrix.patientCareRaisesBy;
  return PRIORITY_ORDER[Math.max(0, i)]!;
}
