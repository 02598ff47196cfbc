import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities/index.js';
import { createAssignmentActivities } from './activities/assignment.js';
import { bundleAtStart, workflowsPath } from './bundle.js';
import { DEFAULT_TASK_QUEUE } from '@tierline/ticket-workflow';
import { workerTracingOptions } from './tracing.js';

export interface TicketWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  deps: ActivityDeps;
  /** 0 forces a replay on every task: used by one test suite to catch non-determinism. */
  maxCachedWorkflows?: number;
  /**
   * The prebuilt workflow bundle (`npm run build`: dist/workflow-bundle.js), as the deployed
   * worker runs. Without it the workflows are bundled from workflowsPath() when the worker is
   * created: in-process workers of the tests, which run the TypeScript sources (decision 25).
   */
  workflowBundlePath?: string;
}

/** Where the workflow code comes from, and the tracing options that go with it. */
function workflowCode(bundlePath: string | undefined): Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle' | 'bundlerOptions' | 'interceptors' | 'sinks'> {
  const tracing = workerTracingOptions();
  if (bundlePath === undefined) return { ...bundleAtStart(), ...tracing };
  // The bundle already holds the workflow interceptors (bundle.ts); they report to the exporter
  // sink, which goes nowhere while tracing is off.
  const { workflowModules: _bundled, ...interceptors } = tracing.interceptors ?? {};
  return {
    workflowBundle: { codePath: bundlePath },
    interceptors,
    sinks: tracing.sinks ?? { exporter: { export: { fn: () => undefined } } },
  };
}

export async function createTicketWorker(opts: TicketWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    ...workflowCode(opts.workflowBundlePath),
    activities: { ...createActivities(opts.deps), ...createAssignmentActivities({ sql: opts.deps.sql }) },
    // Every new ticket's first workflow task waits on the shared (non-sticky) queue; later ones
    // on this worker's sticky queue. The defaults (10 pollers, a fifth of them on the shared
    // queue) left 2 pollers there: at 20 new tickets a second, first tasks queued ~20 s while
    // the worker idled at a quarter of a core (npm run bench, decision 14). Autoscaling pollers
    // went down to 1 there. Half of 20 pollers on each queue keeps up.
    maxConcurrentWorkflowTaskPolls: 20,
    nonStickyToStickyPollRatio: 0.5,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
}

export { NativeConnection, workflowsPath };
