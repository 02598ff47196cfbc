import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { EscalationPolicy } from '@tierline/contracts';
import { temporalTestServerPath } from '@tierline/testing';
import { DEFAULT_POLICY, addBusinessMinutes, businessMinutesBetween, isWorkingTime, nextOpening, validatePolicy } from '@tierline/domain';
import { bundleAtStart } from '../bundle.js';
import type { ProbeCase, ProbeResult } from './domain-sandbox-probe.js';

const clinic = DEFAULT_POLICY.calendars['clinic-hours']!;
const berlin = { ...clinic, timeZone: 'Europe/Berlin' };
const cases: ProbeCase[] = [
  { cal: clinic, startMs: Date.parse('2026-03-06T22:00:00Z'), minutes: 120 },
  { cal: clinic, startMs: Date.parse('2026-10-30T21:00:00Z'), minutes: 120 },
  { cal: clinic, startMs: Date.parse('2026-12-24T22:30:00Z'), minutes: 10_000 },
  { cal: berlin, startMs: Date.parse('2026-03-27T15:00:00Z'), minutes: 777 },
  { cal: DEFAULT_POLICY.calendars.always!, startMs: Date.parse('2026-03-08T06:00:00Z'), minutes: 120 },
];

describe('@tierline/domain inside the Temporal workflow sandbox', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('bundles, runs and agrees with Node', async () => {
    const broken: EscalationPolicy = structuredClone(DEFAULT_POLICY);
    broken.calendars['clinic-hours']!.timeZone = 'Nowhere/Land';
    const taskQueue = `policy-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      ...bundleAtStart(fileURLToPath(new URL('./domain-sandbox-probe.ts', import.meta.url))),
    });
    const result = await worker.runUntil(
      env.client.workflow.execute('policySandboxProbe', { taskQueue, workflowId: `probe-${randomUUID()}`, args: [cases, broken] }),
    ) as ProbeResult;

    expect(result.deadlines).toEqual(cases.map((c) => addBusinessMinutes(c.cal, c.startMs, c.minutes)));
    // Fri 17:00 EST + 120: one hour on Friday, one on Saturday (clinic hours: Sat 09:00–13:00).
    expect(new Date(result.deadlines[0]!).toISOString()).toBe('2026-03-07T15:00:00.000Z');
    expect(result.elapsed).toEqual(cases.map((c) => c.minutes));
    expect(result.working).toEqual(cases.map((c) => isWorkingTime(c.cal, c.startMs)));
    expect(result.openings).toEqual(cases.map((c) => nextOpening(c.cal, c.startMs)));
    expect(result.defaultIssues).toEqual([]);
    expect(result.fastIssues).toEqual([]);
    expect(result.brokenIssues).toEqual(validatePolicy(broken));
    expect(result.brokenIssues.map((i) => i.path)).toEqual(['calendars.clinic-hours.timeZone']);
    expect(result.unknownZoneValid).toBe(false);
    expect(result.p1Calendar).toBe('always');
    expect(businessMinutesBetween(cases[2]!.cal, cases[2]!.startMs, result.deadlines[2]!)).toBe(10_000);
  });
});
