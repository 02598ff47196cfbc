import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { createServiceApp, listen } from './http.js';
import { annotateTicket, createLogger, runWithLogContext } from './logger.js';
import { handleTraced, publishTraced } from './nats.js';
import { activeTraceIds, extractTraceContext, initTracing, injectTraceContext, tracingEnabled, withSpan, type Tracing } from './tracing.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('test', 'info', { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

describe('initTracing without a collector', () => {
  it('stays off and makes the helpers no-ops', async () => {
    const t = initTracing('test', { env: {} });
    expect(t.enabled).toBe(false);
    expect(tracingEnabled()).toBe(false);
    const h = new Headers();
    await withSpan('work', {}, async () => injectTraceContext(h));
    expect(h.get('traceparent'), 'a traceparent was written with tracing off').toBeNull();
    expect(activeTraceIds()).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    expect(() => initTracing('test', { env: { OTEL_TRACES_SAMPLER: 'sometimes' } })).toThrow(/OTEL_TRACES_SAMPLER/);
    expect(() => initTracing('test', { env: { OTEL_TRACES_SAMPLER_ARG: '2', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' } })).toThrow(/OTEL_TRACES_SAMPLER_ARG: must be between 0 and 1/);
    expect(() => initTracing('test', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' } })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => initTracing('test', { env: { OTEL_TRACES_EXPORTER: 'otlp' } })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: required/);
    expect(tracingEnabled()).toBe(false);
  });
});

describe('with tracing on', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    tracing = initTracing('test', { env: {}, exporter });
  });
  afterAll(async () => {
    await tracing.shutdown();
  });
  beforeEach(() => exporter.reset());
  const spans = () => exporter.getFinishedSpans();
  const byName = (name: string): ReadableSpan => {
    const s = spans().find((x) => x.name === name);
    if (!s) throw new Error(`no span "${name}" among ${spans().map((x) => x.name).join(', ')}`);
    return s;
  };

  it('is on, once per process', () => {
    expect(tracing.enabled).toBe(true);
    expect(initTracing('another', { env: {} })).toBe(tracing);
  });

  it('round-trips the W3C traceparent through a header carrier', async () => {
    const h = new Headers();
    let ids: { trace_id: string; span_id: string } | undefined;
    await withSpan('outer', {}, async () => {
      ids = activeTraceIds();
      injectTraceContext(h);
    });
    expect(h.get('traceparent')).toBe(`00-${ids!.trace_id}-${ids!.span_id}-01`);
    const ctx = extractTraceContext(h);
    expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: ids!.trace_id, spanId: ids!.span_id, isRemote: true });
    // Nothing to extract: the base context, not an invalid parent.
    expect(trace.getSpanContext(extractTraceContext(new Headers()))).toBeUndefined();
  });

  it('opens a server span per request, child of the caller, named by the route pattern, and puts the ids on the log lines', async () => {
    const { logger, lines } = capture();
    const app = createServiceApp<{ Variables: object }>({ name: 'test', logger, readiness: {} });
    app.get('/api/v1/tickets/:id', (c) => {
      annotateTicket(c.req.param('id'));
      logger.info('handler ran');
      return c.json({ ok: true });
    });
    const res = await app.request('/api/v1/tickets/1b4e28ba-2fa1-11d2-883f-0016d3cca427?q=Nora%20Nurse', {
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
    });
    expect(res.status).toBe(200);
    const span = byName('GET /api/v1/tickets/:id');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.parentSpanId).toBe(PARENT_ID);
    expect(span.attributes).toMatchObject({ 'http.route': '/api/v1/tickets/:id', 'http.response.status_code': 200, 'tierline.ticket_id': '1b4e28ba-2fa1-11d2-883f-0016d3cca427' });
    expect(JSON.stringify(span.attributes), 'the raw path or query reached the span').not.toMatch(/Nora|\?q=/);

    const handler = lines.find((l) => l['msg'] === 'handler ran')!;
    const access = lines.find((l) => l['msg'] === 'request')!;
    for (const line of [handler, access]) {
      expect(line, JSON.stringify(line)).toMatchObject({
        requestId: res.headers.get('x-request-id'),
        ticketId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
        trace_id: TRACE_ID,
        span_id: span.spanContext().spanId,
      });
    }
  });

  it('opens no span for health and metrics probes, and a failed span for a 5xx', async () => {
    const app = createServiceApp<{ Variables: object }>({ name: 'test', logger: createLogger('test', 'silent'), readiness: {} });
    app.get('/api/v1/boom', () => {
      throw new Error('boom');
    });
    await app.request('/healthz');
    await app.request('/metrics');
    expect((await app.request('/api/v1/boom')).status).toBe(500);
    expect(spans().map((s) => s.name)).toEqual(['GET /api/v1/boom']);
    expect(spans()[0]!.status.code).toBe(2);
  });

  it('carries the trace from a NATS publish to the consumer of the message', async () => {
    let published: { subject: string; headers: MsgHdrs | undefined } | undefined;
    const js = {
      publish: async (subject: string, _payload: unknown, opts: { headers?: MsgHdrs }) => {
        published = { subject, headers: opts.headers };
        return { stream: 'S', seq: 7, duplicate: false, domain: '' };
      },
    } as unknown as JetStreamClient;
    let traceId = '';
    await withSpan('activity', {}, async () => {
      traceId = activeTraceIds()!.trace_id;
      await publishTraced(js, 'tierline.commands.notify', '{}', { msgID: 'k-1' });
    });
    const producer = byName('publish tierline.commands.notify');
    expect(producer.kind).toBe(SpanKind.PRODUCER);
    expect(producer.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': 'tierline.commands.notify', 'messaging.message.id': 'k-1', 'tierline.stream_seq': 7 });
    expect(published?.headers?.get('traceparent')).toBe(`00-${traceId}-${producer.spanContext().spanId}-01`);

    // The consumer side, in another "process": only the headers travel.
    const { logger, lines } = capture();
    const msg = { subject: published!.subject, seq: 7, headers: published!.headers, info: { deliveryCount: 1 } } as unknown as JsMsg;
    await handleTraced(msg, 'notification', async () => {
      annotateTicket('t-42');
      logger.info('handled');
    });
    const consumer = byName('process tierline.commands.notify');
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.spanContext().traceId).toBe(traceId);
    expect(consumer.parentSpanId).toBe(producer.spanContext().spanId);
    expect(consumer.attributes).toMatchObject({ 'messaging.consumer.group.name': 'notification', 'tierline.ticket_id': 't-42' });
    expect(lines[0]).toMatchObject({ consumer: 'notification', seq: 7, ticketId: 't-42', trace_id: traceId, span_id: consumer.spanContext().spanId });

    // A message published without tracing (an older one) starts a trace of its own.
    await handleTraced({ ...msg, headers: natsHeaders() }, 'notification', async () => undefined);
    const orphan = spans().filter((s) => s.name === 'process tierline.commands.notify')[1]!;
    expect(orphan.parentSpanId).toBeUndefined();
    expect(orphan.spanContext().traceId).not.toBe(traceId);
  });

  it('sends the traceparent on outgoing fetches between services, with a client span naming no path', async () => {
    const app = createServiceApp<{ Variables: object }>({ name: 'callee', logger: createLogger('callee', 'silent'), readiness: {} });
    app.get('/api/v1/users/:id', (c) => c.json({ traceparent: c.req.header('traceparent') ?? null }));
    const server = await listen(app, 0);
    try {
      let traceId = '';
      const body = await withSpan('caller', {}, async () => {
        traceId = activeTraceIds()!.trace_id;
        const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/users/nora.nurse?email=nora@clinic.example`, { headers: { accept: 'application/json' } });
        return (await res.json()) as { traceparent: string | null };
      });
      const client = spans().find((s) => s.kind === SpanKind.CLIENT)!;
      expect(client.attributes).toMatchObject({ 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'http.response.status_code': 200 });
      expect(JSON.stringify(client.attributes)).not.toMatch(/nora|users/);
      expect(body.traceparent).toBe(`00-${traceId}-${client.spanContext().spanId}-01`);
      // The callee's server span continues the same trace under the client span.
      const served = byName('GET /api/v1/users/:id');
      expect(served.spanContext().traceId).toBe(traceId);
      expect(served.parentSpanId).toBe(client.spanContext().spanId);
    } finally {
      await server.close();
    }
  });

  it('keeps log context fields to the work that set them', async () => {
    const { logger, lines } = capture();
    await Promise.all([
      runWithLogContext({ requestId: 'r-1' }, async () => {
        await new Promise((r) => setTimeout(r, 5));
        logger.info('one');
      }),
      runWithLogContext({ requestId: 'r-2' }, async () => {
        annotateTicket('t-2');
        logger.info('two');
      }),
    ]);
    logger.info('outside');
    expect(lines.find((l) => l['msg'] === 'one')).toMatchObject({ requestId: 'r-1' });
    expect(lines.find((l) => l['msg'] === 'one')).not.toHaveProperty('ticketId');
    expect(lines.find((l) => l['msg'] === 'two')).toMatchObject({ requestId: 'r-2', ticketId: 't-2' });
    expect(lines.find((l) => l['msg'] === 'outside')).not.toHaveProperty('requestId');
  });
});
