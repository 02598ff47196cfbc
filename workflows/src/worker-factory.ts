import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities/index.js';
import { createAssignmentActivities } from './activities/assignment.js';
import { DEFAULT_TASK_QUEUE } from './definitions.js';
import { workerTracingOptions } from './tracing.js';

/** The workflows module: TypeScript source under tests, compiled JavaScript when deployed. */
export function workflowsPath(): string {
  const ts = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('./workflows/index.js', import.meta.url));
}

export interface TicketWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  deps: ActivityDeps;
  /** 0 forces a replay on every task: used by one test suite to catch non-determinism. */
  maxCachedWorkflows?: number;
}

export async function createTicketWorker(opts: TicketWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowsPath: workflowsPath(),
    activities: { ...createActivities(opts.deps), ...createAssignmentActivities({ sql: opts.deps.sql }) },
    // Every new ticket's first workflow task waits on the shared (non-sticky) queue; later ones
    // on this worker's sticky queue. The defaults (10 pollers, a fifth of them on the shared
    // queue) left 2 pollers there: at 20 new tickets a second, first tasks queued ~20 s while
    // the worker idled at a quarter of a core (npm run bench, decision 14). Autoscaling pollers
    // went down to 1 there. Half of 20 pollers on each queue keeps up.
    maxConcurrentWorkflowTaskPolls: 20,
    nonStickyToStickyPollRatio: 0.5,
    // Traces (when initTracing found an exporter) and the activities' log correlation.
    ...workerTracingOptions(),
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
}

export { NativeConnection };
