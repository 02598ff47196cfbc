import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { temporalTestServerPath } from '@tierline/testing';
import {
  acknowledgeUpdate,
  closeUpdate,
  getStateQuery,
  migratePolicyUpdate,
  resolveUpdate,
  TICKET_WORKFLOW_TYPE,
  vendorAcknowledgeUpdate,
  type TicketWorkflowInput,
  type ActionBy,
} from '@tierline/ticket-workflow';
import type { ticketWorkflow } from '../workflows/ticket.js';
import { bundleAtStart } from '../bundle.js';
import { MIN, input, makeTicket, recordingActivities, registerSearchAttributes, saveHistories, testPolicy } from './fixtures.js';

/**
 * Whole ticket journeys, start to finish, as running tickets take them: these are the histories
 * the replay test (replay.test.ts) must always be able to replay, so that a worker deployed with
 * changed workflow code cannot strand a ticket that is half-way along one of them.
 * `npm run record-histories` records them (RECORD_HISTORIES set) beside the earlier recordings.
 */
const agent: ActionBy = { actor: { id: 'agent-1', role: 'it_agent' } };
const lead: ActionBy = { actor: { id: 'lead-1', role: 'it_lead' } };
const vendor: ActionBy = { actor: { id: 'vendor-1', role: 'vendor' } };
const requester: ActionBy = { actor: { id: 'nurse-1', role: 'clinic_staff' } };

describe('ticket journeys recorded for replay', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const rec = recordingActivities();
  const taskQueue = `journeys-${randomUUID()}`;
  const opened: { name: string; workflowId: string }[] = [];

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    });
    await registerSearchAttributes(env);
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, ...bundleAtStart(), activities: rec.activities });
    running = worker.run();
  });
  afterAll(async () => {
    if (process.env.RECORD_HISTORIES) await saveHistories(env, opened, 'journey-');
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  async function open(i: TicketWorkflowInput): Promise<WorkflowHandle<typeof ticketWorkflow>> {
    opened.push({ name: expect.getState().currentTestName ?? i.ticket.id, workflowId: i.ticket.workflowId });
    return env.client.workflow.start<typeof ticketWorkflow>(TICKET_WORKFLOW_TYPE, { taskQueue, workflowId: i.ticket.workflowId, args: [i] });
  }
  async function sleepUntil(t0: number, ms: number) {
    const now = await env.currentTimeMs();
    if (t0 + ms > now) await env.sleep(t0 + ms - now);
  }
  const types = (ticketId: string) => rec.events(ticketId).map((e) => e.type);

  it('opened, escalated to tier 2, acknowledged, resolved and closed', async () => {
    const t0 = await env.currentTimeMs();
    const t = makeTicket(t0, 'P1');
    const h = await open(input(t));
    await sleepUntil(t0, 16 * MIN);
    expect((await h.query(getStateQuery)).escalations.map((e) => e.tier), 'escalated at 15 minutes without an acknowledgement').toEqual([2]);
    await h.executeUpdate(acknowledgeUpdate, { args: [agent] });
    await sleepUntil(t0, 30 * MIN);
    await h.executeUpdate(resolveUpdate, { args: [{ ...agent, resolution: 'Switch replaced' }] });
    await h.executeUpdate(closeUpdate, { args: [requester] });
    expect((await h.result()).status).toBe('closed');
    const seen = types(t.id).filter((x) => ['ticket.created', 'ticket.escalated', 'ticket.acknowledged', 'ticket.resolved', 'ticket.closed'].includes(x));
    expect(seen).toEqual(['ticket.created', 'ticket.escalated', 'ticket.acknowledged', 'ticket.resolved', 'ticket.closed']);
  });

  it('escalated by the policy to the vendor, acknowledged and resolved by the vendor', async () => {
    const t0 = await env.currentTimeMs();
    const t = makeTicket(t0, 'P1');
    const h = await open(input(t));
    // Nobody acknowledges: tier 2 at 15 minutes, then tier 3 (vendor acme-it) at 60 on the resolution clock.
    await sleepUntil(t0, 61 * MIN);
    const escalated = await h.query(getStateQuery);
    expect(escalated).toMatchObject({ tier: 3, vendorOrgId: 'acme-it', status: 'waiting_on_vendor' });
    const vack = await h.executeUpdate(vendorAcknowledgeUpdate, { args: [{ ...vendor, via: 'link' }] });
    expect(vack.clocks.find((c) => c.name === 'vendor_response')!.state).toBe('stopped');
    await sleepUntil(t0, 90 * MIN);
    const resolved = await h.executeUpdate(resolveUpdate, { args: [{ ...vendor, resolution: 'Firmware rolled back' }] });
    expect(resolved.status).toBe('resolved');
    expect(types(t.id)).toEqual(expect.arrayContaining(['ticket.escalated', 'ticket.vendor_acknowledged', 'ticket.resolved']));
  });

  it('migrated to a newer policy version, then escalated on the new version', async () => {
    const t0 = await env.currentTimeMs();
    const t = makeTicket(t0, 'P1');
    const h = await open(input(t));
    await sleepUntil(t0, 5 * MIN);
    const v2 = testPolicy();
    v2.rules[0]!.responseTargetMinutes = 30;
    v2.rules[0]!.levels[0] = { ...v2.rules[0]!.levels[0]!, after: { clock: 'response', minutes: 30 } };
    const migrated = await h.executeUpdate(migratePolicyUpdate, { args: [{ ...lead, policy: { version: 2, policy: v2 } }] });
    expect(migrated.policyVersion).toBe(2);
    await sleepUntil(t0, 20 * MIN);
    expect((await h.query(getStateQuery)).escalations, 'version 1 would have escalated at 15 minutes').toEqual([]);
    await sleepUntil(t0, 31 * MIN);
    const s = await h.query(getStateQuery);
    expect(s.escalations.map((e) => [e.tier, e.level])).toEqual([[2, 0]]);
    expect(types(t.id)).toEqual(expect.arrayContaining(['ticket.policy_migrated', 'ticket.escalated']));
  });
});
