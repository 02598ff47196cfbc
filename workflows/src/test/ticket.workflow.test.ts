import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { EventEnvelope, Ticket } from '@tierline/contracts';
import { temporalTestServerPath } from '@tierline/testing';
import type { TicketActivities } from '../activities/index.js';
import { closeSignal, getStateQuery, ticketWorkflowId, TICKET_WORKFLOW_TYPE, type TicketWorkflowInput } from '../definitions.js';
import { workflowsPath } from '../worker-factory.js';

function ticket(): Ticket {
  const id = randomUUID();
  const now = new Date().toISOString();
  return {
    id,
    number: 'IT-1001',
    title: 'Network down',
    description: 'Patient Jane Doe cannot be checked in',
    category: 'network',
    siteId: 'north',
    requesterId: 'user-1',
    impact: 'whole_site',
    urgency: 'high',
    patientCareAffected: true,
    priority: 'P1',
    status: 'new',
    tier: 1,
    policyVersion: 0,
    workflowId: ticketWorkflowId(id),
    createdAt: now,
    updatedAt: now,
  };
}

describe('ticketWorkflow (time-skipping server, mock activities)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('records the ticket once with a well-formed ticket.created event, free of free text, and waits until closed', async () => {
    const calls: { ticket: Ticket; event: EventEnvelope }[] = [];
    const activities: TicketActivities = {
      recordTicketOpened: async (input) => {
        calls.push(input);
        return { seq: calls.length };
      },
    };
    const taskQueue = `wf-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: workflowsPath(), activities });
    const t = ticket();
    const input: TicketWorkflowInput = { ticket: t, openedBy: { id: 'user-1', role: 'clinic_staff' } };
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(TICKET_WORKFLOW_TYPE, { taskQueue, workflowId: t.workflowId, args: [input] });
      // A day passes: nothing closes the ticket on its own.
      await env.sleep('1 day');
      const state = await handle.query(getStateQuery);
      expect(state).toMatchObject({ ticketId: t.id, number: 'IT-1001', status: 'new', priority: 'P1', tier: 1 });
      expect(state.events.map((e) => e.type)).toEqual(['ticket.created']);
      expect((await handle.describe()).status.name).toBe('RUNNING');

      await handle.signal(closeSignal, { actorId: 'agent-1' });
      const result = await handle.result();
      expect(result.status).toBe('closed');
    });
    expect(calls).toHaveLength(1);
    const ev = calls[0]!.event;
    expect(ev).toMatchObject({ type: 'ticket.created', ticketId: t.id, actor: { kind: 'user', id: 'user-1', role: 'clinic_staff' }, schemaVersion: 1 });
    expect(ev.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(ev)).not.toContain('Jane Doe');
  });
});
