/**
 * When a resolved ticket closes on its own (docs/decisions/0038). One value per policy version,
 * `autoCloseAfterDays`; a version published before the field existed gets the built-in default.
 * Days are plain 24-hour days from the resolution, not calendar days of a time zone: the
 * requester's time to answer "not fixed" does not depend on IT's working hours.
 *
 * The bounds repeat those of packages/contracts/src/policy.ts (AUTO_CLOSE_MIN_DAYS/MAX_DAYS) as
 * literals, because this package stays free of zod for the workflow sandbox; a test checks they agree.
 */
import type { EscalationPolicy } from '@tierline/contracts';

export const DEFAULT_AUTO_CLOSE_AFTER_DAYS = 5;
export const MIN_AUTO_CLOSE_DAYS = 1;
export const MAX_AUTO_CLOSE_DAYS = 30;

const DAY_MS = 24 * 60 * 60_000;

/** The policy's days before an auto-close, or the default when the version has none. */
export function autoCloseAfterDays(policy: Pick<EscalationPolicy, 'autoCloseAfterDays'>): number {
  const days = policy.autoCloseAfterDays;
  return typeof days === 'number' && Number.isInteger(days) && days >= MIN_AUTO_CLOSE_DAYS && days <= MAX_AUTO_CLOSE_DAYS ? days : DEFAULT_AUTO_CLOSE_AFTER_DAYS;
}

/** The instant (epoch ms) a ticket resolved at `resolvedAtMs` under this policy closes on its own. */
export function autoCloseAt(resolvedAtMs: number, policy: Pick<EscalationPolicy, 'autoCloseAfterDays'>): number {
  return resolvedAtMs + autoCloseAfterDays(policy) * DAY_MS;
}
