import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { currentTracing, type Tracing } from '@tierline/platform';

/**
 * The Temporal client's interceptors: with tracing on, starting a ticket's workflow, updating and
 * signalling it carry the caller's trace context in the Temporal headers, so the workflow's spans
 * are children of the HTTP request that opened (or acted on) the ticket. Empty when tracing is off.
 */
export function temporalClientInterceptors(tracing: Tracing = currentTracing()): ClientInterceptors | undefined {
  return tracing.enabled ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}
