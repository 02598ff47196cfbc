import { afterAll, beforeAll, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { temporalTestServerPath } from '@tierline/testing';
import { TICKET_WORKFLOW_TYPE, type TicketWorkflowInput } from '@tierline/ticket-workflow';
import type { ticketWorkflow } from '../workflows/ticket.js';
import { bundleAtStart } from '../bundle.js';
import { recordingActivities, registerSearchAttributes, saveHistories } from './fixtures.js';

/**
 * One time-skipping test server and one worker with recording activities for a describe block
 * (registered in its beforeAll/afterAll): the setup every ticket-workflow scenario file shares.
 * `env` is set once beforeAll has run. With RECORD_HISTORIES, the histories of the workflows that
 * `open` started are saved for the replay test (cached run only, named `historyPrefix` + test name).
 */
export function useTicketWorker(opts: { label: string; maxCachedWorkflows?: number; historyPrefix?: string }) {
  const rec = recordingActivities();
  const taskQueue = `${opts.label}-${randomUUID()}`;
  const opened: { name: string; workflowId: string }[] = [];
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const ctx = {
    env: undefined as unknown as TestWorkflowEnvironment,
    rec,
    taskQueue,
    /** Starts a ticket workflow on this worker's task queue and remembers it for recording. */
    open(i: TicketWorkflowInput): Promise<WorkflowHandle<typeof ticketWorkflow>> {
      opened.push({ name: expect.getState().currentTestName ?? i.ticket.id, workflowId: i.ticket.workflowId });
      return ctx.env.client.workflow.start<typeof ticketWorkflow>(TICKET_WORKFLOW_TYPE, { taskQueue, workflowId: i.ticket.workflowId, args: [i] });
    },
    /** Advances the test server's clock to `ms` after `t0`. */
    async sleepUntil(t0: number, ms: number): Promise<void> {
      const now = await ctx.env.currentTimeMs();
      if (t0 + ms > now) await ctx.env.sleep(t0 + ms - now);
    },
  };

  beforeAll(async () => {
    ctx.env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    });
    await registerSearchAttributes(ctx.env);
    rec.useClient(ctx.env.client);
    worker = await Worker.create({
      connection: ctx.env.nativeConnection,
      taskQueue,
      ...bundleAtStart(),
      activities: rec.activities,
      ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    });
    running = worker.run();
  });
  afterAll(async () => {
    if (process.env.RECORD_HISTORIES && opts.maxCachedWorkflows === undefined) await saveHistories(ctx.env, opened, opts.historyPrefix);
    worker?.shutdown();
    await running;
    await ctx.env?.teardown();
  });
  return ctx;
}
