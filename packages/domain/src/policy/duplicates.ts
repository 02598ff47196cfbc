/**
 * Likely duplicates (docs/decisions/0042): how far back a recent P1/P2 of the same site and
 * category counts, and whether a new ticket is linked to a matching open major incident on its
 * own. A version published before the setting existed gets the defaults: 120 minutes, no
 * automatic linking (the issue asks for it off by default).
 *
 * The bounds repeat those of packages/contracts/src/policy.ts (DUPLICATES_MIN/MAX_WINDOW_MINUTES)
 * as literals, because this package stays free of zod for the workflow sandbox; a test checks they agree.
 */
import type { EscalationPolicy } from '@tierline/contracts';

export const DEFAULT_DUPLICATES_WINDOW_MINUTES = 120;
export const MIN_DUPLICATES_WINDOW_MINUTES = 5;
export const MAX_DUPLICATES_WINDOW_MINUTES = 1440;

export interface EffectiveDuplicates {
  windowMinutes: number;
  autoLink: boolean;
}

/** The policy's duplicate settings, each falling back to its default when absent or out of bounds. */
export function duplicatesSettings(policy: Pick<EscalationPolicy, 'duplicates'>): EffectiveDuplicates {
  const d = policy.duplicates;
  const w = d?.windowMinutes;
  const windowMinutes =
    typeof w === 'number' && Number.isInteger(w) && w >= MIN_DUPLICATES_WINDOW_MINUTES && w <= MAX_DUPLICATES_WINDOW_MINUTES ? w : DEFAULT_DUPLICATES_WINDOW_MINUTES;
  return { windowMinutes, autoLink: d?.autoLink === true };
}

/** Problems of the setting (V18 of validatePolicy), by dotted path. */
export function duplicatesIssues(policy: Pick<EscalationPolicy, 'duplicates'>): { path: string; message: string }[] {
  const d: unknown = policy.duplicates;
  if (d === undefined) return [];
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return [{ path: 'duplicates', message: 'must be an object { windowMinutes, autoLink }' }];
  const { windowMinutes: w, autoLink } = d as Record<string, unknown>;
  const issues: { path: string; message: string }[] = [];
  if (!(typeof w === 'number' && Number.isInteger(w) && w >= MIN_DUPLICATES_WINDOW_MINUTES && w <= MAX_DUPLICATES_WINDOW_MINUTES)) {
    issues.push({
      path: 'duplicates.windowMinutes',
      message: `must be a whole number of minutes from ${MIN_DUPLICATES_WINDOW_MINUTES} to ${MAX_DUPLICATES_WINDOW_MINUTES} (how far back a P1/P2 of the same site and category counts as a likely duplicate), got ${JSON.stringify(w)}`,
    });
  }
  if (typeof autoLink !== 'boolean') issues.push({ path: 'duplicates.autoLink', message: `must be true or false (link matching new tickets to the open major incident automatically), got ${JSON.stringify(autoLink)}` });
  return issues;
}
