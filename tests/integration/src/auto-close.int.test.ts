import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { EscalationStateSchema } from '@tierline/contracts';
import { TEST_FAST_POLICY } from '@tierline/domain';
import { DEMO_PASSWORD, loginAs, temporalTestServerPath } from '@tierline/testing';
import { api, eventually, startSlice, type StartedSlice as Slice } from './harness.js';

/**
 * Auto-close end to end (docs/decisions/0038): the ticket service, the worker with its real
 * activities (PostgreSQL, the outbox to JetStream) and the audit consumer, as in every slice; only
 * the Temporal server is Temporal's time-skipping test server, because the timer runs for days.
 * A resolved ticket closes on its own as the system, the read model and the timeline say so, and
 * the close is in the audit log like every event. A reopened one does not close, and its next
 * acknowledgement is recorded as "picked up again".
 */
const DAY = 24 * 3_600_000;

describe('auto-close of resolved tickets, on the real services and the time-skipping Temporal server', () => {
  let skipping: TestWorkflowEnvironment;
  let slice: Slice;
  let nurse: ReturnType<typeof api>;
  let agent: ReturnType<typeof api>;
  const saved = { address: process.env.TEMPORAL_ADDRESS, namespace: process.env.TEMPORAL_NAMESPACE };
  const ticket = { title: 'Label printer prints blank labels', category: 'printer_scanner', siteId: 'north', impact: 'one_user', urgency: 'medium' };

  beforeAll(async () => {
    skipping = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
    const { KEYWORD, INT } = { KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT };
    await skipping.connection.operatorService.addSearchAttributes({
      namespace: skipping.namespace ?? 'default',
      searchAttributes: { TicketNumber: KEYWORD, Priority: KEYWORD, Status: KEYWORD, Site: KEYWORD, Tier: INT, PolicyVersion: INT },
    });
    // The slice's client and worker connect to the Temporal server that testEnv() names.
    process.env.TEMPORAL_ADDRESS = skipping.address;
    process.env.TEMPORAL_NAMESPACE = skipping.namespace ?? 'default';
    slice = await startSlice('autoclose', { policy: { ...TEST_FAST_POLICY, autoCloseAfterDays: 2 } });
    nurse = api(slice.baseUrl, (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token);
    agent = api(slice.baseUrl, (await loginAs('alex.agent', DEMO_PASSWORD)).access_token);
  }, 120_000);
  afterAll(async () => {
    await slice?.stop();
    await skipping?.teardown();
    for (const [k, v] of [['TEMPORAL_ADDRESS', saved.address], ['TEMPORAL_NAMESPACE', saved.namespace]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  async function openAndResolve() {
    const t = (await nurse('POST', '/api/v1/tickets', ticket)).body;
    expect(t.priority, JSON.stringify(t)).toBe('P3');
    expect((await agent('POST', `/api/v1/tickets/${t.id}/acknowledge`, {})).status).toBe(200);
    const resolved = await agent('POST', `/api/v1/tickets/${t.id}/resolve`, { resolution: 'Replaced the print head' });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    return { t, resolved: resolved.body };
  }

  it('closes a resolved ticket as the system after the policy’s days, shown beforehand, audited', { timeout: 180_000 }, async () => {
    const { t, resolved } = await openAndResolve();
    const resolvedAt = Date.parse(resolved.escalation.resolvedAt);
    const autoCloseAt = new Date(resolvedAt + 2 * DAY).toISOString();
    expect(EscalationStateSchema.safeParse(resolved.escalation).error).toBeUndefined();
    expect(resolved.escalation).toMatchObject({ status: 'resolved', autoCloseAt, nextDeadline: { at: autoCloseAt, kind: 'auto-close' } });
    // The ticket page and the queue read the read model: it says when the ticket will close.
    const before = await nurse('GET', `/api/v1/tickets/${t.id}`);
    expect(before.body).toMatchObject({ status: 'resolved', nextDeadlineAt: autoCloseAt, nextDeadlineKind: 'auto-close' });

    await skipping.sleep(2 * DAY + 60_000);

    const after = await eventually('the ticket closed in the read model', async () => {
      const r = await nurse('GET', `/api/v1/tickets/${t.id}`);
      return r.body.status === 'closed' ? r.body : undefined;
    });
    expect(after).toMatchObject({ nextDeadlineAt: null, nextDeadlineKind: null });
    expect(Date.parse(after.closedAt) - Date.parse(autoCloseAt)).toBeGreaterThanOrEqual(0);

    const timeline = await nurse('GET', `/api/v1/tickets/${t.id}/timeline`);
    const closed = timeline.body.items.filter((e: { type: string }) => e.type === 'ticket.closed');
    expect(closed, JSON.stringify(timeline.body.items)).toHaveLength(1);
    expect(closed[0]).toMatchObject({ actor: { kind: 'system' }, data: { auto: true } });

    const row = await eventually('the auto-close in the audit log', async () => {
      const [r] = await slice.auditSql<{ actor_kind: string; actor_id: string; content: string }[]>`
        select actor_kind, actor_id, content from audit_log where ticket_id = ${t.id} and event_type = 'ticket.closed'`;
      return r;
    });
    expect(row.actor_kind).toBe('system');
    expect(JSON.parse(row.content)).toMatchObject({ type: 'ticket.closed', data: { auto: true, number: t.number } });
  });

  it('does not close a ticket reopened in time; its next acknowledgement is "picked up again", audited', { timeout: 180_000 }, async () => {
    const { t } = await openAndResolve();
    const reopened = await nurse('POST', `/api/v1/tickets/${t.id}/reopen`, { reason: 'Still printing blank labels' });
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
    expect(reopened.body.escalation).toMatchObject({ autoCloseAt: null, awaitingPickupSince: expect.any(String) });

    await skipping.sleep(3 * DAY);
    expect((await nurse('GET', `/api/v1/tickets/${t.id}`)).body.status).not.toBe('closed');

    const picked = await agent('POST', `/api/v1/tickets/${t.id}/acknowledge`, {});
    expect(picked.status, JSON.stringify(picked.body)).toBe(200);
    expect(picked.body.escalation.awaitingPickupSince).toBeNull();
    const again = await agent('POST', `/api/v1/tickets/${t.id}/acknowledge`, {});
    expect(again.status).toBe(409);

    const rows = await eventually('both acknowledgements in the audit log', async () => {
      const r = await slice.auditSql<{ content: string }[]>`
        select content from audit_log where ticket_id = ${t.id} and event_type = 'ticket.acknowledged' order by seq`;
      return r.length >= 2 ? r : undefined;
    });
    expect(rows.map((r) => JSON.parse(r.content).data.afterReopen)).toEqual([undefined, true]);
    const types = await slice.auditSql<{ event_type: string }[]>`select event_type from audit_log where ticket_id = ${t.id} and event_type = 'ticket.closed'`;
    expect(types).toEqual([]);
  });
});
