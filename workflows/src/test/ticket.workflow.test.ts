import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  acknowledgeUpdate,
  changePriorityUpdate,
  closeUpdate,
  commentUpdate,
  getStateQuery,
  handToVendorUpdate,
  migratePolicyUpdate,
  reopenUpdate,
  resolveUpdate,
  resumeUpdate,
  vendorAcknowledgeUpdate,
  waitOnRequesterUpdate,
  type ActionBy,
} from '@tierline/ticket-workflow';
import { addBusinessMs, validatePolicy } from '@tierline/domain';
import { MIN, input, makeTicket, nextSpringForward, testPolicy } from './fixtures.js';
import { useTicketWorker } from './time-skipping.js';

const agent: ActionBy = { actor: { id: 'agent-1', role: 'it_agent' } };
const lead: ActionBy = { actor: { id: 'lead-1', role: 'it_lead' } };

// The same scenarios run twice: with the workflow cache, and with maxCachedWorkflows 0, which
// replays the whole history on every workflow task and so catches non-determinism early.
describe.each([
  { cache: 'default', maxCachedWorkflows: undefined },
  { cache: 'none (replay every task)', maxCachedWorkflows: 0 },
])('ticketWorkflow on the time-skipping test server, cache $cache', ({ maxCachedWorkflows }) => {
  const w = useTicketWorker({ label: 'wf', maxCachedWorkflows });
  const { rec, open, sleepUntil } = w;
  /**
   * Timers fire at their deadline in skipped time, but activities run in real time and the
   * server's clock moves with them; so instants are compared with a few seconds' tolerance,
   * and never early.
   */
  const expectAt = (at: string[], t0: number, expected: number[]) => {
    const actual = at.map((a) => Date.parse(a) - t0);
    expect(actual.length, `instants ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`).toBe(expected.length);
    actual.forEach((a, i) => {
      expect(a - expected[i]!, `instant ${i}: ${a} ms after opening, expected ${expected[i]}`).toBeGreaterThanOrEqual(0);
      expect(a - expected[i]!, `instant ${i}: ${a} ms after opening, expected ${expected[i]}`).toBeLessThan(3_000);
    });
  };
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      return ((err as WorkflowUpdateFailedError).cause as Error).message;
    }
    throw new Error('update was accepted');
  };

  it('the test policy is itself valid', () => {
    expect(validatePolicy(testPolicy())).toEqual([]);
  });

  it('fires each level at its instant on a 24x7 calendar, repeats at most K times, and warns before the breach', async () => {
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P1');
    const h = await open(input(t));

    await sleepUntil(t0, 15 * MIN - 5_000);
    let s = await h.query(getStateQuery);
    expect(s.escalations, 'nothing before the 15-minute mark').toEqual([]);
    const warnings = rec.events(t.id).filter((e) => e.type === 'ticket.sla_warning');
    expect(warnings.map((w) => w.data['percent'])).toEqual([60, 80]);
    expectAt(warnings.map((w) => w.occurredAt), t0, [9 * MIN, 12 * MIN]);

    await sleepUntil(t0, 120 * MIN);
    s = await h.query(getStateQuery);
    expect(s.escalations.map((e) => [e.level, e.repeat, e.tier])).toEqual([
      [0, 0, 2],
      [0, 1, 2],
      [0, 2, 2],
      [1, 0, 3],
    ]);
    // 15, 30, 45 (level 0 and its two repeats: K = 2), 60 (level 1, resolution clock).
    expectAt(s.escalations.map((e) => e.at), t0, [15 * MIN, 30 * MIN, 45 * MIN, 60 * MIN]);
    expect(s.tier).toBe(3);
    expect(s.vendorOrgId).toBe('acme-it');
    // Assigned by the rules at opening (tier 1), reassigned on escalation to tier 2.
    const assigned = rec.assignments(t.id);
    expect(assigned.map((a) => a.tier)).toEqual([1, 2]);
    // (Activities run in real time even on the time-skipping server, hence the tolerance.)
    expect(assigned[0]!.atMs - t0).toBeLessThan(5_000);
    expect(assigned[1]!.atMs - t0 - 15 * MIN).toBeGreaterThanOrEqual(0);
    expect(assigned[1]!.atMs - t0 - 15 * MIN).toBeLessThan(5_000);
    expect(s.teamId).toBe('it-tier2');
    expect(s.status).toBe('waiting_on_vendor');
    expect(s.clocks.find((c) => c.name === 'response')!.breached).toBe(true);

    const pages = rec.notifications(t.id).filter((n) => n.template.startsWith('escalation'));
    expect(pages.map((p) => p.template)).toEqual(['escalation', 'escalation_repeat', 'escalation_repeat', 'escalation']);
    expect(new Set(pages.map((p) => p.idempotencyKey)).size).toBe(4);
    expect(pages[3]!.targets).toEqual([{ kind: 'vendor', vendorOrgId: 'acme-it' }]);
    expect(JSON.stringify(rec.calls(t.id).map((c) => [c.events, c.notifies]))).not.toContain('Jane Doe');
  });

  it('counts only working hours: across a weekend, a holiday and the spring daylight-saving change', async () => {
    // Friday 17:00 EST before the next spring-forward (taken from the test server's clock, so the
    // test never expires). 120 working minutes: Fri 17:00–18:00 (60), Sat/Sun closed, Monday a
    // holiday, DST began on the Sunday, so Tuesday 08:00–09:00 EDT = 13:00Z.
    const dst = nextSpringForward(await w.env.currentTimeMs());
    const policy = testPolicy();
    const clinic = policy.calendars['clinic']!;
    if (clinic.mode !== 'business_hours') throw new Error('the test clinic calendar has business hours');
    clinic.holidays = [dst.monday];
    await sleepUntil(dst.friday17, 0);
    const t = makeTicket(dst.friday17, 'P3');
    const h = await open(input(t, { version: 1, policy }));
    const expected = dst.tuesday9;
    await sleepUntil(expected, -60_000);
    expect((await h.query(getStateQuery)).escalations).toEqual([]);
    await sleepUntil(expected, 60_000);
    const s = await h.query(getStateQuery);
    expect(s.escalations).toHaveLength(1);
    expect(Date.parse(s.escalations[0]!.at) - expected).toBeGreaterThanOrEqual(0);
    expect(Date.parse(s.escalations[0]!.at) - expected).toBeLessThan(3_000);
    expect(s.teamId).toBe('it-tier2');
  });

  it('stops the response escalation when acknowledged, and refuses a second acknowledgement', async () => {
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P1');
    const h = await open(input(t));
    await sleepUntil(t0, 10 * MIN);
    const acked = await h.executeUpdate(acknowledgeUpdate, { args: [agent] });
    expect(acked.status).toBe('acknowledged');
    expect(acked.assigneeId).toBe('agent-1');
    expect(await refusal(h.executeUpdate(acknowledgeUpdate, { args: [agent] }))).toMatch(/already acknowledged/);

    await sleepUntil(t0, 61 * MIN);
    const s = await h.query(getStateQuery);
    // Only the resolution-clock level (60 min) fired; the response clock stopped at 10 min.
    expect(s.escalations.map((e) => [e.clock, e.level])).toEqual([['resolution', 1]]);
    // (Updates and activities run in real time on the test server: clocks are compared to within half a minute.)
    const response = s.clocks.find((c) => c.name === 'response')!;
    expect(response).toMatchObject({ state: 'stopped', elapsedMinutes: expect.closeTo(10, 0), breached: false });
  });

  it('pauses the clinic clocks while waiting on the requester', async () => {
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P1');
    const h = await open(input(t));
    await sleepUntil(t0, 1 * MIN);
    await h.executeUpdate(acknowledgeUpdate, { args: [agent] });
    await sleepUntil(t0, 10 * MIN);
    const waiting = await h.executeUpdate(waitOnRequesterUpdate, { args: [agent] });
    expect(waiting.clocks.find((c) => c.name === 'resolution')).toMatchObject({ state: 'paused', elapsedMinutes: expect.closeTo(10, 0) });

    await sleepUntil(t0, 190 * MIN);
    expect((await h.query(getStateQuery)).escalations, 'no escalation while paused').toEqual([]);
    await h.executeUpdate(resumeUpdate, { args: [agent] });
    await sleepUntil(t0, 239 * MIN);
    expect((await h.query(getStateQuery)).escalations).toEqual([]);
    await sleepUntil(t0, 241 * MIN);
    const s = await h.query(getStateQuery);
    // 10 minutes counted before the pause + 50 after resuming at 190 = the 60-minute level at 240.
    expectAt(s.escalations.map((e) => e.at), t0, [240 * MIN]);
  });

  it('runs the vendor contract clock on the vendor calendar, independent of the clinic clock', async () => {
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P1');
    const h = await open(input(t));
    await sleepUntil(t0, 5 * MIN);
    await h.executeUpdate(acknowledgeUpdate, { args: [agent] });
    await sleepUntil(t0, 10 * MIN);
    const handed = await h.executeUpdate(handToVendorUpdate, { args: [{ ...agent, vendorOrgId: 'acme-it' }] });
    expect(handed).toMatchObject({ tier: 3, vendorOrgId: 'acme-it', status: 'waiting_on_vendor' });
    const vendorCal = testPolicy().calendars['vendor']!;
    const vr = handed.clocks.find((c) => c.name === 'vendor_response')!;
    expect(Math.abs(Date.parse(vr.deadlineAt!) - addBusinessMs(vendorCal, t0 + 10 * MIN, 120 * MIN))).toBeLessThan(3_000);
    expect(rec.notifications(t.id).find((n) => n.template === 'vendor_handoff')).toMatchObject({ targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }] });

    await sleepUntil(t0, 20 * MIN);
    const vack = await h.executeUpdate(vendorAcknowledgeUpdate, { args: [{ actor: { id: 'vendor-1', role: 'vendor' } }] });
    expect(vack.clocks.find((c) => c.name === 'vendor_response')!.state).toBe('stopped');
    expect(vack.clocks.find((c) => c.name === 'vendor_resolution')!.state).toBe('running');
    // The clinic's own resolution clock kept running all along.
    expect(vack.clocks.find((c) => c.name === 'resolution')).toMatchObject({ state: 'running', elapsedMinutes: expect.closeTo(20, 0) });
    expect(await refusal(h.executeUpdate(vendorAcknowledgeUpdate, { args: [{ actor: { id: 'vendor-1', role: 'vendor' } }] }))).toMatch(/already acknowledged/);
  });

  it('recomputes deadlines on a priority change, keeping the time already elapsed', async () => {
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P2');
    const h = await open(input(t));
    await sleepUntil(t0, 5 * MIN);
    expect(await refusal(h.executeUpdate(changePriorityUpdate, { args: [{ ...agent, priority: 'P1', reason: '' }] }))).toMatch(/needs a reason/);
    const reasonId = randomUUID();
    const changed = await h.executeUpdate(changePriorityUpdate, { args: [{ ...agent, priority: 'P1', reason: 'whole clinic affected', reasonId }] });
    expect(changed.priority).toBe('P1');
    expect(changed.clocks.find((c) => c.name === 'response')).toMatchObject({ targetMinutes: 15, elapsedMinutes: expect.closeTo(5, 0) });
    await sleepUntil(t0, 16 * MIN);
    const s = await h.query(getStateQuery);
    // P1's 15-minute level, counted from opening (not from the change, which would be 20).
    expectAt(s.escalations.map((e) => e.at), t0, [15 * MIN]);
    // The reason is stored with the ticket under its id; the event names the id only.
    expect(rec.events(t.id).find((e) => e.type === 'ticket.priority_changed')!.data).toEqual({ number: t.number, from: 'P2', to: 'P1', reasonId });
    expect(rec.calls(t.id).find((c) => c.comment?.id === reasonId)!.comment).toMatchObject({ kind: 'priority_reason', visibility: 'internal', body: 'whole clinic affected' });
  });

  it('migrates to a newer policy version without losing elapsed time, and records it', async () => {
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P1');
    const h = await open(input(t));
    await sleepUntil(t0, 10 * MIN);
    const v2 = testPolicy();
    v2.rules[0]!.levels[0] = { ...v2.rules[0]!.levels[0]!, after: { clock: 'response', minutes: 20 } };
    v2.rules[0]!.responseTargetMinutes = 20;
    expect(validatePolicy(v2)).toEqual([]);
    expect(await refusal(h.executeUpdate(migratePolicyUpdate, { args: [{ ...lead, policy: { version: 1, policy: v2 } }] }))).toMatch(/pick a newer version/);
    const migrated = await h.executeUpdate(migratePolicyUpdate, { args: [{ ...lead, policy: { version: 2, policy: v2 } }] });
    expect(migrated.policyVersion).toBe(2);
    expect(migrated.clocks.find((c) => c.name === 'response')).toMatchObject({ targetMinutes: 20, elapsedMinutes: expect.closeTo(10, 0) });
    await sleepUntil(t0, 21 * MIN);
    const s = await h.query(getStateQuery);
    expectAt(s.escalations.map((e) => e.at), t0, [20 * MIN]);
    const ev = rec.events(t.id).find((e) => e.type === 'ticket.policy_migrated')!;
    expect(ev).toMatchObject({ actor: { kind: 'user', id: 'lead-1', role: 'it_lead' }, data: { fromVersion: 1, toVersion: 2 } });
  });

  it('resolves, refuses to close an open ticket, reopens with a fresh resolution clock, and closes', async () => {
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P1');
    const h = await open(input(t));
    await sleepUntil(t0, 2 * MIN);
    expect(await refusal(h.executeUpdate(closeUpdate, { args: [agent] }))).toMatch(/only a resolved ticket can be closed/);
    await h.executeUpdate(acknowledgeUpdate, { args: [agent] });
    const resolved = await h.executeUpdate(resolveUpdate, { args: [{ ...agent, resolution: 'Switch replaced' }] });
    expect(resolved.status).toBe('resolved');
    await sleepUntil(t0, 180 * MIN);
    expect((await h.query(getStateQuery)).escalations, 'a resolved ticket does not escalate').toEqual([]);
    const reopenId = randomUUID();
    const reopened = await h.executeUpdate(reopenUpdate, { args: [{ actor: { id: 'nurse-1', role: 'clinic_staff' }, reason: 'Down again', reasonId: reopenId }] });
    expect(rec.events(t.id).find((e) => e.type === 'ticket.reopened')!.data).toEqual({ number: t.number, reasonId: reopenId, reopenPolicy: expect.any(String) });
    expect(rec.calls(t.id).find((c) => c.comment?.id === reopenId)!.comment).toMatchObject({ kind: 'reopen_reason', visibility: 'public', body: 'Down again', authorId: 'nurse-1' });
    expect(JSON.stringify(rec.events(t.id)), 'no free text in any event').not.toMatch(/Down again|Switch replaced/);
    expect(reopened.status).toBe('in_progress');
    expect(reopened.clocks.find((c) => c.name === 'resolution')).toMatchObject({ state: 'running', elapsedMinutes: expect.closeTo(0, 0) });
    await sleepUntil(t0, 241 * MIN);
    // The resolution-clock level counts from the reopening: 180 + 60.
    expectAt((await h.query(getStateQuery)).escalations.map((e) => e.at), t0, [240 * MIN]);
    await h.executeUpdate(resolveUpdate, { args: [{ ...agent, resolution: 'Cabling fixed' }] });
    await h.executeUpdate(closeUpdate, { args: [agent] });
    const result = await h.result();
    expect(result.status).toBe('closed');
  });

  it('continues as new before the history grows large, carrying the whole state', async () => {
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P1');
    const h = await open(input(t, undefined, { historyLimit: 40 }));
    const firstRun = (await h.describe()).runId;
    for (let i = 0; i < 6; i++) {
      await h.executeUpdate(commentUpdate, { args: [{ ...agent, commentId: randomUUID(), body: `note ${i}`, visibility: 'internal' }] });
    }
    await sleepUntil(t0, 16 * MIN);
    const latest = w.env.client.workflow.getHandle(t.workflowId);
    const s = await latest.query(getStateQuery);
    expect((await latest.describe()).runId).not.toBe(firstRun);
    expect(s.runs).toBeGreaterThanOrEqual(1);
    // Exactly one escalation at 15 minutes: the new run neither lost nor repeated it.
    expectAt(s.escalations.map((e) => e.at), t0, [15 * MIN]);
    expect(rec.events(t.id).filter((e) => e.type === 'ticket.commented')).toHaveLength(6);
    expect(rec.events(t.id).filter((e) => e.type === 'ticket.created')).toHaveLength(1);
    // Every read-model patch is numbered one more than the last, across both runs (decision 39):
    // the new run does not start again from 1, which the row would skip as stale.
    const revs = rec.calls(t.id).map((c) => c.rev);
    expect(revs.length).toBeGreaterThan(8);
    expect(revs).toEqual(revs.map((_, i) => i + 1));
    // The revision is the workflow's bookkeeping, not part of its view.
    expect(s).not.toHaveProperty('readModelRev');
  });
});
