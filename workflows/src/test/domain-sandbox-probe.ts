/**
 * A workflow used only by domain-sandbox.test.ts: it runs @tierline/domain inside the real
 * Temporal workflow sandbox (bundled like production workflow code), to prove the policy code
 * needs nothing the sandbox lacks and computes there exactly what it computes in Node. Not
 * registered by the worker.
 */
import type { Calendar, EscalationPolicy } from '@tierline/contracts';
import {
  DEFAULT_POLICY,
  TEST_FAST_POLICY,
  addBusinessMinutes,
  businessMinutesBetween,
  isValidTimeZone,
  isWorkingTime,
  nextOpening,
  ruleFor,
  validatePolicy,
  type PolicyIssue,
} from '@tierline/domain';

export interface ProbeCase {
  cal: Calendar;
  startMs: number;
  minutes: number;
}

export interface ProbeResult {
  deadlines: number[];
  elapsed: number[];
  working: boolean[];
  openings: number[];
  defaultIssues: PolicyIssue[];
  fastIssues: PolicyIssue[];
  brokenIssues: PolicyIssue[];
  unknownZoneValid: boolean;
  p1Calendar: string | undefined;
}

export async function policySandboxProbe(cases: ProbeCase[], broken: EscalationPolicy): Promise<ProbeResult> {
  const deadlines = cases.map((c) => addBusinessMinutes(c.cal, c.startMs, c.minutes));
  return {
    deadlines,
    elapsed: cases.map((c, i) => businessMinutesBetween(c.cal, c.startMs, deadlines[i]!)),
    working: cases.map((c) => isWorkingTime(c.cal, c.startMs)),
    openings: cases.map((c) => nextOpening(c.cal, c.startMs)),
    defaultIssues: validatePolicy(DEFAULT_POLICY),
    fastIssues: validatePolicy(TEST_FAST_POLICY),
    brokenIssues: validatePolicy(broken),
    unknownZoneValid: isValidTimeZone('Nowhere/Land'),
    p1Calendar: ruleFor(DEFAULT_POLICY, 'P1', 'network')?.calendar,
  };
}
