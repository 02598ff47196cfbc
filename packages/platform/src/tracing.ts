import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource, envDetectorSync, type IResource } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { z } from 'zod';
import { parseEnv } from './env.js';

/**
 * The standard OpenTelemetry variables Tierline reads (the names every collector's docs use), so
 * an operator points Tierline at a collector the way they point anything else at it. Parsed here,
 * not by the SDK, so that a typo stops the process with the variable's name instead of silently
 * tracing nothing.
 */
export const tracingEnvSchema = z.object({
  // "otlp" sends spans to the collector, "console" prints them (debugging), "none" turns tracing
  // off. Unset: otlp when an endpoint is set, else off — tests and dev without a collector pay nothing.
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
  // The collector's OTLP/HTTP base URL (e.g. http://otel-collector:4318); /v1/traces is appended.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  // The full traces URL, when the collector serves traces somewhere else than <endpoint>/v1/traces.
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  // Which traces are kept. parentbased_* follow the caller's decision (a sampled request stays
  // sampled through the workflow, NATS and the delivery); default parentbased_always_on.
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .default('parentbased_always_on'),
  // The ratio of the *traceidratio samplers, 0..1.
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
});

export type TracingEnv = z.infer<typeof tracingEnvSchema>;

export interface Tracing {
  /** False when no exporter is configured: every helper below then costs next to nothing. */
  readonly enabled: boolean;
  /** Where spans go; the Temporal worker hands the same processor to its workflow span sink. */
  readonly spanProcessor: SpanProcessor | undefined;
  readonly resource: IResource | undefined;
  /** Sends what is buffered (tests, before reading the collector). */
  flush(): Promise<void>;
  /** Flushes and unregisters, so a process (or a test file) may initialise again. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = {
  enabled: false,
  spanProcessor: undefined,
  resource: undefined,
  flush: async () => undefined,
  shutdown: async () => undefined,
};

let current: Tracing = OFF;

/** True once initTracing registered a provider in this process. */
export function tracingEnabled(): boolean {
  return current.enabled;
}

/** The process's tracing, as set up by initTracing (OFF before that). */
export function currentTracing(): Tracing {
  return current;
}

function samplerFrom(env: TracingEnv): Sampler {
  const ratio = new TraceIdRatioBasedSampler(env.OTEL_TRACES_SAMPLER_ARG ?? 1);
  switch (env.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Sets up tracing for one process from the standard OTEL_* variables: a provider whose resource
 * names the service, the W3C trace-context propagator, an AsyncLocalStorage context manager and an
 * OTLP/HTTP (JSON) exporter behind a batching processor. Without an exporter it registers nothing
 * and returns a disabled handle. Calling it again returns the first set-up, because the
 * OpenTelemetry API accepts one global provider per process (in-process tests start several
 * services in one process). `exporter` is for tests that collect spans in memory.
 */
export function initTracing(serviceName: string, opts: { env?: NodeJS.ProcessEnv; exporter?: SpanExporter } = {}): Tracing {
  if (current.enabled) return current;
  const env = parseEnv(tracingEnvSchema, opts.env ?? process.env);
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
  const kind = env.OTEL_TRACES_EXPORTER ?? (endpoint || opts.exporter ? 'otlp' : 'none');
  if (kind === 'none') return OFF;
  if (kind === 'otlp' && !endpoint && !opts.exporter) {
    throw new Error('invalid environment:\n  OTEL_EXPORTER_OTLP_ENDPOINT: required when OTEL_TRACES_EXPORTER is otlp');
  }
  const exporter = opts.exporter ?? (kind === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter({ url: endpoint! }));
  // Console output is for a person watching: print each span as it ends. A collector gets batches.
  const spanProcessor = kind === 'console' || opts.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (read by the env detector) win over the default name.
  const resource = new Resource({ [ATTR_SERVICE_NAME]: serviceName, 'service.namespace': 'tierline' }).merge(envDetectorSync.detect());
  const provider = new NodeTracerProvider({ resource, sampler: samplerFrom(env), spanProcessors: [spanProcessor] });
  // Registers the AsyncLocalStorage context manager and the W3C traceparent + baggage propagator.
  provider.register();
  const restoreFetch = traceFetch();
  const handle: Tracing = {
    enabled: true,
    spanProcessor,
    resource,
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      restoreFetch();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      current = OFF;
    },
  };
  current = handle;
  return handle;
}

/** A string-keyed carrier (HTTP headers, NATS headers): reads and writes through get/set. */
export interface HeaderCarrier {
  get(name: string): string | null | undefined;
  set(name: string, value: string): void;
}

const getter: TextMapGetter<HeaderCarrier> = {
  keys: () => ['traceparent', 'tracestate', 'baggage'],
  // NATS headers answer "" for a missing key, fetch Headers null.
  get: (carrier, key) => carrier.get(key) || undefined,
};
const setter: TextMapSetter<HeaderCarrier> = { set: (carrier, key, value) => carrier.set(key, value) };

/** Writes the active (or given) context's traceparent/tracestate into `carrier`. */
export function injectTraceContext(carrier: HeaderCarrier, ctx: Context = context.active()): void {
  if (!current.enabled) return;
  propagation.inject(ctx, carrier, setter);
}

/** The context carried by `carrier` (traceparent), on top of `base`; base itself when it has none. */
export function extractTraceContext(carrier: HeaderCarrier | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!current.enabled || !carrier) return base;
  return propagation.extract(base, carrier, getter);
}

/** The active span's ids for log lines, or nothing when no span is recording. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  if (!current.enabled) return undefined;
  const span = trace.getSpan(context.active());
  const sc = span?.spanContext();
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  return { trace_id: sc.traceId, span_id: sc.spanId };
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; the active context when absent. */
  parent?: Context;
}

/**
 * Runs `fn` inside a new span that ends when `fn` settles: an error is recorded (its message
 * scrubbed by the caller's choice of message — never put personal data in span names or
 * attributes) and marks the span failed. Without tracing it just runs `fn`.
 */
export async function withSpan<T>(name: string, opts: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!current.enabled) return fn(trace.wrapSpanContext(INVALID));
  const tracer = trace.getTracer('tierline');
  const parent = opts.parent ?? context.active();
  const span = tracer.startSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, ...(opts.attributes ? { attributes: opts.attributes } : {}) }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    // The exception's type only: messages of provider errors quote addresses (see scrubPersonalData).
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.name ?? 'Error' });
    throw err;
  } finally {
    span.end();
  }
}

const INVALID = { traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: 0 };

/** Sets attributes on the active span, if one is recording. */
export function setSpanAttributes(attributes: Attributes): void {
  if (!current.enabled) return;
  trace.getSpan(context.active())?.setAttributes(attributes);
}

/**
 * Wraps the global fetch, through which every call between Tierline services goes (notification →
 * identity and ticket, identity → ticket, token requests), so each carries the caller's traceparent
 * and gets a client span: host and method only, never the path or query (ids, search terms). The
 * OTLP exporter sends with node:http, not fetch, so exporting is not traced. Returns the undo.
 */
function traceFetch(): () => void {
  const original = globalThis.fetch;
  const traced: typeof fetch = async (input, init) => {
    if (!current.enabled) return original(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    return withSpan(
      method,
      { kind: SpanKind.CLIENT, attributes: { 'http.request.method': method, 'server.address': url.hostname, 'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)) } },
      async (span) => {
        const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
        injectTraceContext(headers);
        const res = await original(input, { ...init, headers });
        span.setAttribute('http.response.status_code', res.status);
        if (res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        return res;
      },
    );
  };
  globalThis.fetch = traced;
  return () => {
    if (globalThis.fetch === traced) globalThis.fetch = original;
  };
}

export { SpanKind, SpanStatusCode };
