import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities/index.js';
import { createAssignmentActivities } from './activities/assignment.js';
import { DEFAULT_TASK_QUEUE } from './definitions.js';

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
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
}

export { NativeConnection };
