import { createRequire } from 'node:module';
import type { Context as ActivityContext } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor, ActivityExecuteInput, Next, WorkerOptions } from '@temporalio/worker';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import { annotateTicket, currentTracing, runWithLogContext, type Tracing } from '@tierline/platform';

const require = createRequire(import.meta.url);

/**
 * OpenTelemetry's workflow interceptors: inside the sandbox they make the workflow's spans and
 * hand them to the `exporter` sink. Compiled into every workflow bundle (bundle.ts).
 */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

// The client's interceptors live with the workflow's definitions, so a client needs no worker.
export { temporalClientInterceptors } from '@tierline/ticket-workflow/client-tracing';

/**
 * Correlation of an activity's log lines: the activity type and, for a ticket's workflow
 * (`ticket-<id>`), the ticket id — also set on the activity span. Runs inside the OpenTelemetry
 * interceptor, so the log lines carry the activity span's trace_id too.
 */
class LogContextInbound implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: ActivityContext) {}

  execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const workflowId = this.ctx.info.workflowExecution?.workflowId ?? '';
    const ticketId = workflowId.startsWith('ticket-') ? workflowId.slice('ticket-'.length) : undefined;
    return runWithLogContext({ activity: this.ctx.info.activityType, ...(workflowId ? { workflowId } : {}) }, () => {
      if (ticketId) annotateTicket(ticketId);
      return next(input);
    });
  }
}

/**
 * What the worker needs for tracing and log correlation. With tracing on: the workflow interceptors
 * module bundled into the workflow sandbox (workflow run and activity-scheduling spans, sent out of
 * the sandbox through the `exporter` sink into the process's span processor), and the activity
 * interceptors (an activity span, child of the workflow's scheduling span). Always: the activity
 * log context. Workflow spans are made deterministically inside the sandbox, so replays neither
 * differ nor fail with tracing on or off.
 */
export function workerTracingOptions(tracing: Tracing = currentTracing()): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const logContext = (ctx: ActivityContext) => ({ inbound: new LogContextInbound(ctx) });
  if (!tracing.enabled || !tracing.spanProcessor || !tracing.resource) return { interceptors: { activity: [logContext] } };
  return {
    interceptors: {
      workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES],
      // Outermost first: the OpenTelemetry span is open when the log context reads the ticket id.
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }), logContext],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
