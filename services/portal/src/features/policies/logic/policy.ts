/**
 * What the policy editor computes in the browser: the preview of how a P1 opened now would
 * escalate, and where a validation issue belongs. The server stays the judge of validity
 * (POST /api/v1/policies/draft/validate); nothing here decides whether a policy may be published.
 */

/** The parts of an EscalationPolicy the preview reads (the bundle keeps no server schema). */
export interface PolicyShape {
  name?: string;
  calendars?: Record<string, { mode?: string; timeZone?: string }>;
  rules?: {
    priority?: string;
    categories?: string[];
    calendar?: string;
    responseTargetMinutes?: number;
    resolutionTargetMinutes?: number;
    levels?: {
      after?: { clock?: string; minutes?: number };
      tier?: number;
      targets?: { kind?: string; teamId?: string; vendorOrgId?: string; userId?: string }[];
      channels?: string[];
      repeatEveryMinutes?: number;
      maxRepeats?: number;
    }[];
    vendorContract?: { vendorOrgId?: string; responseTargetMinutes?: number; resolutionTargetMinutes?: number };
  }[];
}

export function formatMinutes(total: number): string {
  if (total < 60) return `${total} min`;
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const minutes = total % 60;
  const parts: string[] = [];
  if (days) parts.push(`${days} ${days === 1 ? 'day' : 'days'}`);
  if (hours) parts.push(`${hours} h`);
  if (minutes) parts.push(`${minutes} min`);
  return parts.join(' ');
}

const CHANNEL_LABELS: Record<string, string> = { email: 'email', sms: 'SMS', slack: 'Slack', teams: 'Teams' };

function listWords(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

type Target = NonNullable<NonNullable<NonNullable<PolicyShape['rules']>[number]['levels']>[number]['targets']>[number];
export function describeTarget(t: Target): string {
  switch (t.kind) {
    case 'team':
      return `team ${t.teamId ?? '?'}`;
    case 'on_call':
      return `the on-call person of ${t.teamId ?? '?'}`;
    case 'it_lead':
      return 'the IT lead';
    case 'vendor':
      return `vendor ${t.vendorOrgId ?? '?'}`;
    case 'user':
      return `user ${t.userId ?? '?'}`;
    default:
      return String(t.kind ?? 'unknown target');
  }
}

/** The rule a P1 without a special category runs on: the P1 rule without `categories`. */
export function p1RuleIndex(policy: PolicyShape): number {
  const rules = policy.rules ?? [];
  const general = rules.findIndex((r) => r.priority === 'P1' && !r.categories);
  return general >= 0 ? general : rules.findIndex((r) => r.priority === 'P1');
}

export interface PreviewStep {
  /** Minutes on the rule's calendar after the ticket opens. */
  minutes: number;
  clock: 'response' | 'resolution';
  text: string;
  /** The wall-clock instant, when the calendar runs around the clock; null on business hours. */
  at: Date | null;
}

export interface Preview {
  ruleIndex: number;
  calendarName: string;
  timeZone: string;
  /** True when the rule's calendar counts working minutes only: no wall-clock times then. */
  businessHours: boolean;
  steps: PreviewStep[];
}

/**
 * How a P1 opened at `now` would escalate under `policy`: the response and resolution targets and
 * each level, in calendar minutes, in time order. On a 24x7 calendar a calendar minute is a real
 * minute, so each step gets its wall-clock time; on business hours it does not (the clock stops
 * outside opening hours), and the preview says so instead of guessing.
 */
export function previewP1(policy: PolicyShape, now: Date): Preview | { problem: string } {
  const ruleIndex = p1RuleIndex(policy);
  const rule = policy.rules?.[ruleIndex];
  if (!rule) return { problem: 'The draft has no rule for P1 tickets, so there is nothing to preview.' };
  const calendarName = rule.calendar ?? '';
  const calendar = policy.calendars?.[calendarName];
  if (!calendar) return { problem: `The P1 rule uses the calendar "${calendarName}", which the draft does not define.` };
  const businessHours = calendar.mode !== '24x7';
  const at = (minutes: number) => (businessHours ? null : new Date(now.getTime() + minutes * 60_000));
  const steps: PreviewStep[] = [];
  if (typeof rule.responseTargetMinutes === 'number') {
    steps.push({ minutes: rule.responseTargetMinutes, clock: 'response', text: 'response target: it must be acknowledged by then', at: at(rule.responseTargetMinutes) });
  }
  if (typeof rule.resolutionTargetMinutes === 'number') {
    steps.push({ minutes: rule.resolutionTargetMinutes, clock: 'resolution', text: 'resolution target: it must be resolved by then', at: at(rule.resolutionTargetMinutes) });
  }
  for (const level of rule.levels ?? []) {
    const minutes = level.after?.minutes;
    if (typeof minutes !== 'number') continue;
    const clock = level.after?.clock === 'resolution' ? 'resolution' : 'response';
    const who = listWords((level.targets ?? []).map(describeTarget));
    const how = listWords((level.channels ?? []).map((c) => CHANNEL_LABELS[c] ?? c));
    const unless = clock === 'response' ? 'unless acknowledged' : 'unless resolved';
    let text = `${unless}: tier ${level.tier ?? '?'} – ${who || 'nobody'} by ${how || 'no channel'}`;
    if (level.repeatEveryMinutes) {
      text += `, repeated every ${formatMinutes(level.repeatEveryMinutes)}${level.maxRepeats ? ` up to ${level.maxRepeats} times` : ''}`;
    }
    steps.push({ minutes, clock, text, at: at(minutes) });
  }
  // Targets before levels at the same minute: the breach is what the escalation reacts to.
  steps.sort((a, b) => a.minutes - b.minutes);
  return { ruleIndex, calendarName, timeZone: calendar.timeZone ?? 'UTC', businessHours, steps };
}

/** Issues that belong to a field shown on its own (e.g. "rules.0.responseTargetMinutes"). */
export function issuesFor<T extends { path: string }>(issues: readonly T[], path: string): T[] {
  return issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`));
}

/**
 * Where in the JSON text a dotted path's last key is written, so an issue in the list can move
 * the caret to it. A best effort: it walks the keys in order and falls back to the start.
 */
export function locatePath(text: string, path: string): number {
  let from = 0;
  for (const part of path.split('.')) {
    if (/^\d+$/.test(part)) continue; // array positions are not written in the text
    const at = text.indexOf(`"${part}"`, from);
    if (at < 0) return from;
    from = at;
  }
  return from;
}
