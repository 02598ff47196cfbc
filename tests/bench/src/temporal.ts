import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';

/** Polls `check` every 250 ms until it is true, or fails naming what it waited for. */
export async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Deletes every workflow of a bench task queue, running or not, in one server-side batch job, so
 * the shared Temporal server keeps neither the bench's open tickets nor their histories. The job
 * runs on after this returns (the server paces it).
 */
export async function terminateTaskQueue(client: Client, taskQueue: string): Promise<void> {
  await client.workflowService.startBatchOperation({
    namespace: client.options.namespace,
    jobId: `bench-cleanup-${randomUUID()}`,
    reason: 'benchmark finished',
    visibilityQuery: `TaskQueue = '${taskQueue}'`,
    deletionOperation: {},
  });
}
