import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  acknowledgeUpdate,
  closeUpdate,
  commentUpdate,
  getStateQuery,
  migratePolicyUpdate,
  reopenUpdate,
  resolveUpdate,
  type ActionBy,
} from '@tierline/ticket-workflow';
import { DEFAULT_AUTO_CLOSE_AFTER_DAYS, validatePolicy } from '@tierline/domain';
import { MIN, input, makeTicket, testPolicy } from './fixtures.js';
import { useTicketWorker } from './time-skipping.js';

/**
 * Auto-close (docs/decisions/0038): a resolved ticket closes on its own, as the system, the
 * policy's autoCloseAfterDays (24 h each) after its resolution, unless someone reopens it first;
 * and the first acknowledgement after a reopen says it was picked up again.
 */
const DAY = 24 * 60 * MIN;
const agent: ActionBy = { actor: { id: 'agent-1', role: 'it_agent' } };
const lead: ActionBy = { actor: { id: 'lead-1', role: 'it_lead' } };
const nurse: ActionBy = { actor: { id: 'nurse-1', role: 'clinic_staff' } };

describe.each([
  { cache: 'default', maxCachedWorkflows: undefined },
  { cache: 'none (replay every task)', maxCachedWorkflows: 0 },
])('auto-close on the time-skipping test server, cache $cache', ({ maxCachedWorkflows }) => {
  const w = useTicketWorker({ label: 'autoclose', maxCachedWorkflows, historyPrefix: 'auto-close-' });
  const { rec, open, sleepUntil } = w;

  /** `at` falls `expected` ms after `from`, never early and at most a few seconds late (activities run in real time). */
  const expectNear = (at: string | null | undefined, from: number, expected: number) => {
    expect(at, 'an instant').toBeTruthy();
    const late = Date.parse(at!) - from - expected;
    expect(late, `${at} is ${late} ms after ${new Date(from + expected).toISOString()}`).toBeGreaterThanOrEqual(0);
    expect(late, `${at} is ${late} ms after ${new Date(from + expected).toISOString()}`).toBeLessThan(3_000);
  };
  const closedEvents = (ticketId: string) => rec.events(ticketId).filter((e) => e.type === 'ticket.closed');
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      return ((err as WorkflowUpdateFailedError).cause as Error).message;
    }
    throw new Error('update was accepted');
  };

  /** Opens a P1 on `policy` (version 1), acknowledges and resolves it; the resolution instant. */
  async function openAndResolve(policy = testPolicy({ autoCloseAfterDays: 2 }), extra: Parameters<typeof input>[2] = {}) {
    expect(validatePolicy(policy)).toEqual([]);
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P1');
    const h = await open(input(t, { version: 1, policy }, extra));
    await h.executeUpdate(acknowledgeUpdate, { args: [agent] });
    const resolved = await h.executeUpdate(resolveUpdate, { args: [{ ...agent, resolution: 'Switch replaced' }] });
    expect(resolved.status).toBe('resolved');
    return { t, h, resolved, resolvedAt: Date.parse(resolved.resolvedAt!) };
  }

  it('closes as the system exactly the policy’s days after the resolution, and says when beforehand', async () => {
    const { t, h, resolved, resolvedAt } = await openAndResolve();
    // The view and the read model show when it will close.
    expect(resolved.autoCloseAt).toBe(new Date(resolvedAt + 2 * DAY).toISOString());
    expect(resolved.nextDeadline).toEqual({ at: resolved.autoCloseAt, kind: 'auto-close' });
    const resolveCall = rec.calls(t.id).find((c) => c.events?.some((e) => e.type === 'ticket.resolved'))!;
    expect(resolveCall.patch).toMatchObject({ status: 'resolved', nextDeadlineAt: resolved.autoCloseAt, nextDeadlineKind: 'auto-close' });

    await sleepUntil(resolvedAt, 2 * DAY - MIN);
    expect((await h.query(getStateQuery)).status, 'still resolved a minute before').toBe('resolved');
    expect(closedEvents(t.id)).toEqual([]);

    const result = await h.result();
    expect(result.status).toBe('closed');
    const [closed, ...more] = closedEvents(t.id);
    expect(more).toEqual([]);
    expect(closed).toMatchObject({ actor: { kind: 'system' }, data: { number: t.number, auto: true } });
    expectNear(closed!.occurredAt, resolvedAt, 2 * DAY);
    const closeCall = rec.calls(t.id).find((c) => c.events?.some((e) => e.type === 'ticket.closed'))!;
    expect(closeCall.patch).toMatchObject({ status: 'closed', nextDeadlineAt: null, nextDeadlineKind: null });
    expectNear(closeCall.patch!.closedAt, resolvedAt, 2 * DAY);
  });

  it(`closes after the default ${DEFAULT_AUTO_CLOSE_AFTER_DAYS} days when the policy version has no autoCloseAfterDays`, async () => {
    const policy = testPolicy();
    expect(policy.autoCloseAfterDays).toBeUndefined();
    const { t, h, resolved, resolvedAt } = await openAndResolve(policy);
    expect(resolved.autoCloseAt).toBe(new Date(resolvedAt + DEFAULT_AUTO_CLOSE_AFTER_DAYS * DAY).toISOString());
    await sleepUntil(resolvedAt, DEFAULT_AUTO_CLOSE_AFTER_DAYS * DAY - MIN);
    expect((await h.query(getStateQuery)).status).toBe('resolved');
    expect((await h.result()).status).toBe('closed');
    expectNear(closedEvents(t.id)[0]!.occurredAt, resolvedAt, DEFAULT_AUTO_CLOSE_AFTER_DAYS * DAY);
  });

  it('a reopen cancels it; the next acknowledgement is "picked up again"; the next resolution starts a new wait', async () => {
    const { t, h, resolvedAt } = await openAndResolve();
    await sleepUntil(resolvedAt, DAY);
    const reopened = await h.executeUpdate(reopenUpdate, { args: [{ ...nurse, reason: 'Down again', reasonId: randomUUID() }] });
    expect(reopened).toMatchObject({ status: 'in_progress', autoCloseAt: null });
    expect(reopened.awaitingPickupSince).toBeTruthy();
    expect(reopened.nextDeadline?.kind).not.toBe('auto-close');

    await sleepUntil(resolvedAt, 3 * DAY);
    const s = await h.query(getStateQuery);
    // (Its resolution clock restarted, so by now the policy handed it to the vendor; it is open.)
    expect(s.status, 'the first resolution’s timer did not close the reopened ticket').toBe('waiting_on_vendor');
    expect(closedEvents(t.id)).toEqual([]);

    const picked = await h.executeUpdate(acknowledgeUpdate, { args: [{ actor: { id: 'agent-2', role: 'it_agent' } }] });
    expect(picked.awaitingPickupSince).toBeNull();
    // The first acknowledgement stays the one the response clock measured.
    expect(picked.acknowledgedAt).toBe(s.acknowledgedAt);
    const acks = rec.events(t.id).filter((e) => e.type === 'ticket.acknowledged');
    expect(acks.map((e) => e.data['afterReopen'])).toEqual([undefined, true]);
    expect(acks[1]!.actor).toMatchObject({ kind: 'user', id: 'agent-2' });
    expect(await refusal(h.executeUpdate(acknowledgeUpdate, { args: [agent] }))).toMatch(/already acknowledged/);

    const again = await h.executeUpdate(resolveUpdate, { args: [{ ...agent, resolution: 'Cabling fixed' }] });
    const secondAt = Date.parse(again.resolvedAt!);
    expect(again.autoCloseAt).toBe(new Date(secondAt + 2 * DAY).toISOString());
    expect((await h.result()).status).toBe('closed');
    expectNear(closedEvents(t.id)[0]!.occurredAt, secondAt, 2 * DAY);
  });

  it('a close by hand before the timer is fine: one close, by the person, and nothing later', async () => {
    const { t, h, resolvedAt } = await openAndResolve();
    await sleepUntil(resolvedAt, DAY);
    const closed = await h.executeUpdate(closeUpdate, { args: [agent] });
    expect(closed).toMatchObject({ status: 'closed', autoCloseAt: null });
    expect((await h.result()).status).toBe('closed');
    await sleepUntil(resolvedAt, 3 * DAY);
    const events = closedEvents(t.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: { kind: 'user', id: 'agent-1' } });
    expect(events[0]!.data).toEqual({ number: t.number });
  });

  it('continue-as-new while it waits carries the timer', async () => {
    const { t, h, resolvedAt } = await openAndResolve(testPolicy({ autoCloseAfterDays: 2 }), { historyLimit: 40 });
    const firstRun = (await h.describe()).runId;
    // Comments on the resolved ticket grow the history past the limit.
    for (let i = 0; i < 6; i++) {
      await h.executeUpdate(commentUpdate, { args: [{ ...agent, commentId: randomUUID(), body: `note ${i}`, visibility: 'internal' }] });
    }
    await sleepUntil(resolvedAt, DAY);
    const latest = w.env.client.workflow.getHandle(t.workflowId);
    expect((await latest.describe()).runId, 'a new run').not.toBe(firstRun);
    const s = await latest.query(getStateQuery);
    expect(s.runs).toBeGreaterThanOrEqual(1);
    expect(s).toMatchObject({ status: 'resolved', autoCloseAt: new Date(resolvedAt + 2 * DAY).toISOString() });
    expect((await latest.result()).status).toBe('closed');
    const events = closedEvents(t.id);
    expect(events).toHaveLength(1);
    expectNear(events[0]!.occurredAt, resolvedAt, 2 * DAY);
  });

  it('uses the value of the version the ticket runs on, the migrated one included', async () => {
    const t0 = await w.env.currentTimeMs();
    const t = makeTicket(t0, 'P1');
    const h = await open(input(t, { version: 1, policy: testPolicy({ autoCloseAfterDays: 3 }) }));
    const v2 = testPolicy({ autoCloseAfterDays: 1 });
    expect(validatePolicy(v2)).toEqual([]);
    await h.executeUpdate(migratePolicyUpdate, { args: [{ ...lead, policy: { version: 2, policy: v2 } }] });
    const resolved = await h.executeUpdate(resolveUpdate, { args: [{ ...agent, resolution: 'Switch replaced' }] });
    const resolvedAt = Date.parse(resolved.resolvedAt!);
    expect(resolved.autoCloseAt).toBe(new Date(resolvedAt + 1 * DAY).toISOString());
    expect((await h.result()).status).toBe('closed');
    expectNear(closedEvents(t.id)[0]!.occurredAt, resolvedAt, 1 * DAY);
  });
});
