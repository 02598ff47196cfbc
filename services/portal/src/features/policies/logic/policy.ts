/**
 * What the policy editor computes in the browser: how a step of the server's preview reads, and
 * where a validation issue belongs. The form is checked by the API's schema (`policy-form.ts`);
 * the server stays the judge of validity
 * (POST /api/v1/policies/draft/validate) and computes the preview (POST /api/v1/policies/preview);
 * nothing here decides whether a policy may be published or when a step falls due.
 */
import type { PolicyPreviewStep } from '../../../lib/api/types.js';

/**
 * The parts of a policy the page reads from the text being typed, which need not be a valid policy
 * yet: loose on purpose. What a policy is, is `EscalationPolicySchema` (see `policy-form.ts`).
 */
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
  /** Likely duplicates (decision 42): loose, as typed. */
  duplicates?: { windowMinutes?: unknown; autoLink?: unknown };
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

/** One step of the server's preview (POST /api/v1/policies/preview). */
type Step = Pick<PolicyPreviewStep, 'clock' | 'kind' | 'percent' | 'level' | 'tier' | 'repeat' | 'targets' | 'channels'>;
type Rule = NonNullable<PolicyShape['rules']>[number];

/**
 * A preview step in words: the target that falls due, the warning, or who is paged how. The
 * first page of a repeating level says how it repeats (from the rule being edited); each repeat
 * is its own step.
 */
export function describeStep(step: Step, rule: Rule | undefined): string {
  const target = step.clock === 'response' ? 'response target' : 'resolution target';
  if (step.kind === 'target') return step.clock === 'response' ? 'response target: it must be acknowledged by then' : 'resolution target: it must be resolved by then';
  if (step.kind === 'warning') return `${step.percent ?? '?'}% of the ${target}: the ticket is marked at risk`;
  const unless = step.clock === 'response' ? 'unless acknowledged' : 'unless resolved';
  const who = listWords((step.targets ?? []).map(describeTarget));
  const how = listWords((step.channels ?? []).map((c) => CHANNEL_LABELS[c] ?? c));
  let text = `${unless}: tier ${step.tier ?? '?'} – ${who || 'nobody'} by ${how || 'no channel'}`;
  const level = step.level === undefined ? undefined : rule?.levels?.[step.level];
  if (step.repeat) text += `, again (repeat ${step.repeat}${level?.maxRepeats ? ` of ${level.maxRepeats}` : ''})`;
  else if (level?.repeatEveryMinutes) text += `, repeated every ${formatMinutes(level.repeatEveryMinutes)}${level.maxRepeats ? ` up to ${level.maxRepeats} times` : ''}`;
  return text;
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
