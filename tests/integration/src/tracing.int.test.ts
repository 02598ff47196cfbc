import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RetentionPolicy, StorageType, jetstreamManager } from '@nats-io/jetstream';
import type { EscalationPolicy } from '@tierline/contracts';
import { createLogger, ensureStreams, initTracing, parseEnv, type Tracing } from '@tierline/platform';
import { NOTIFICATION_MIGRATIONS_DIR, notificationEnvSchema, startNotificationWorker, type Recipient, type RecipientResolver } from '@tierline/notification';
import { testEnv } from '@tierline/testing';
import { cleanupStack, demoToken, migratedDatabase, natsWithStreams } from '@tierline/test-fixtures';
import { TEST_FAST_POLICY } from '@tierline/domain';
import { api, eventually, sliceTest, type Slice } from './harness.js';

/**
 * Issue #7, observability: one trace from the HTTP request that opens a ticket, through the
 * Temporal workflow and its activity, the NATS command, to the notification service's delivery of
 * the escalation email (accepted by the real SMTP server, Mailpit) and the audit service's append.
 *
 * Spans leave through the real OTLP/HTTP exporter (JSON encoding) to a collector stand-in in this
 * process, exactly as they would leave for an OpenTelemetry Collector. Everything else is real:
 * PostgreSQL, NATS JetStream, Temporal, Keycloak logins and Mailpit. The notification service's
 * recipient lookup is the one seam: the IT lead it pages is a person of this test with an address
 * of its own, so the test finds its mail and can prove that no span carries an address.
 */

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: OtlpValue }[];
}
interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  service: string;
  attributes: Record<string, string | number | boolean | undefined>;
}

// OTLP/JSON carries ids as hex; accept base64 too (the protobuf-JSON mapping's default).
const hexId = (id: string | undefined) => (!id ? undefined : /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex')) || undefined;
const valueOf = (v: OtlpValue) => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.boolValue ?? v.doubleValue;

/** A collector stand-in: POST /v1/traces with OTLP/JSON, every span kept. */
async function startOtlpReceiver() {
  const spans: CollectedSpan[] = [];
  const contentTypes = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      contentTypes.add(String(req.headers['content-type']));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans) {
        const service = String(valueOf(rs.resource.attributes.find((a) => a.key === 'service.name')?.value ?? {}));
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            spans.push({
              traceId: hexId(s.traceId)!,
              spanId: hexId(s.spanId)!,
              parentSpanId: hexId(s.parentSpanId),
              name: s.name,
              kind: s.kind,
              service,
              attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, valueOf(a.value)])),
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, spans, contentTypes, close: () => new Promise<void>((r) => server.close(() => r())) };
}

// P1: not acknowledged one minute after opening → tier 2, the IT lead is paged by email.
const POLICY: EscalationPolicy = (() => {
  const p = structuredClone(TEST_FAST_POLICY);
  const p1 = p.rules.find((r) => r.priority === 'P1')!;
  p1.levels = [{ after: { clock: 'response', minutes: 1 }, tier: 2, targets: [{ kind: 'it_lead' }], channels: ['email'] }];
  return p;
})();

const suffix = randomBytes(4).toString('hex');

/** A logger of one service whose JSON lines the test reads, as a log shipper would. */
function capturedLogger(name: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(name, 'info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}
const ticketLogs = capturedLogger('ticket');
const notificationLogs = capturedLogger('notification');
const LEAD: Recipient = { userId: `trace-lead-${suffix}`, username: `trace.lead.${suffix}`, displayName: 'Trace Lead', email: `trace-lead-${suffix}@it.tierline.test`, isVendor: false };
const TITLE = `Printer jam in exam room 3 for Mrs Example ${suffix}`;
const DESCRIPTION = `Patient chart of Mrs Example ${suffix} will not print`;
const RESOLUTION = `Cleared the jam for Mrs Example ${suffix}`;

const stream = `NTEST_TRACING_${suffix}`;
const subject = `tierline-test.${suffix}.notify`;
const durable = `it-tracing-${suffix}`;

const test = sliceTest('tracing', { policy: POLICY, notifySubject: subject, logger: ticketLogs.logger })
  // The same start-up as every service's main.ts, pointed at the collector stand-in; asked for
  // before the services, so that they start traced, and shut down after them.
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; none here
  .extend('collector', { scope: 'file' }, async ({}, { onCleanup }) => {
    const receiver = await startOtlpReceiver();
    const tracing = initTracing('tierline-it', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    onCleanup(async () => {
      await tracing.shutdown();
      await receiver.close();
    });
    return { receiver, tracing };
  })
  // The notification service, on its own database and a private command stream.
  .extend('notifyDatabase', { scope: 'file' }, migratedDatabase({ label: 'tracingnotify', schema: 'notification', migrations: NOTIFICATION_MIGRATIONS_DIR, max: 3 }))
  .extend('notifyNats', { scope: 'file' }, natsWithStreams(`it-tracing-notify-${suffix}`))
  .extend('notifier', { scope: 'file' }, async ({ notifyDatabase, notifyNats }, { onCleanup }) => {
    const { nc } = notifyNats;
    const parts = cleanupStack();
    onCleanup(parts.run);
    await ensureStreams(nc, [{ name: stream, subjects: [subject], storage: StorageType.File, retention: RetentionPolicy.Workqueue }]);
    parts.onCleanup(async () => {
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.delete(stream, durable).catch(() => undefined);
      await jsm.streams.delete(stream).catch(() => undefined);
    });
    const env0 = testEnv();
    const env = parseEnv(notificationEnvSchema, {
      DATABASE_URL: notifyDatabase.url,
      NATS_URL: env0.natsUrl,
      SMTP_URL: env0.smtpUrl,
      MAILPIT_URL: env0.mailpitUrl,
      LOG_LEVEL: 'silent',
      NOTIFY_STREAM: stream,
      NOTIFY_SUBJECT: subject,
      NOTIFY_DURABLE: durable,
      NOTIFY_BACKOFF_MS: '200,400,800',
      SEND_TIMEOUT_MS: '5000',
      PORTAL_URL: 'http://portal.test',
    });
    const resolver: RecipientResolver = { resolve: async () => ({ recipients: [LEAD], unresolved: [] }) };
    const notifier = await startNotificationWorker({
      env,
      sql: notifyDatabase.sql,
      nc,
      logger: notificationLogs.logger,
      resolver,
      mintVendorLink: () => Promise.reject(new Error('no vendor is paged in this test')),
      // Pages only: no consumer of the shared events stream for status updates.
      updates: false,
    });
    parts.onCleanup(() => notifier.stop());
    return notifier;
  });

describe('one trace from the ticket request to the escalation email', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let tracing: Tracing;
  let slice: Slice;

  test.beforeAll(({ collector }) => {
    ({ receiver, tracing } = collector);
  });
  test.beforeAll(({ slice: running, notifier: _notifier }) => {
    slice = running;
  }, 120_000);

  it('joins the HTTP request, the workflow, its activity, the NATS command, the delivery and the audit append', { timeout: 240_000 }, async () => {
    expect(tracing.enabled, 'initTracing did not turn tracing on with an endpoint').toBe(true);
    const nurse = api(slice.baseUrl, await demoToken('nora.nurse'));
    const created = await nurse('POST', '/api/v1/tickets', {
      title: TITLE,
      description: DESCRIPTION,
      category: 'printer_scanner',
      siteId: 'north',
      impact: 'whole_site',
      urgency: 'high',
      patientCareAffected: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const ticket = created.body as { id: string; number: string; workflowId: string; priority: string };
    expect(ticket.priority).toBe('P1');

    // Nobody acknowledges: after a minute the IT lead is paged, and Mailpit accepts the mail.
    const mail = await eventually(
      'the escalation email at the SMTP server',
      async () => {
        const res = await fetch(`${testEnv().mailpitUrl}/api/v1/search?${new URLSearchParams({ query: `to:${LEAD.email!}` }).toString()}`);
        const found = ((await res.json()) as { messages: { Subject: string }[] }).messages;
        // The SLA warning at half time is paged too; the escalation is the one this waits for.
        return found.find((m) => m.Subject.includes(ticket.number) && m.Subject.includes('escalated to tier 2'));
      },
      150_000,
    );
    expect(mail.Subject).toBe(`[P1] ${ticket.number} escalated to tier 2 — north`);

    // Resolving and closing ends the workflow, whose run span is exported when it ends.
    const agent = api(slice.baseUrl, await demoToken('alex.agent'));
    const resolved = await agent('POST', `/api/v1/tickets/${ticket.id}/resolve`, { resolution: RESOLUTION });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    const closed = await agent('POST', `/api/v1/tickets/${ticket.id}/close`, {});
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    await slice.temporal.workflow.getHandle(ticket.workflowId).result();

    const find = async (what: string, pick: (s: CollectedSpan) => boolean, traceId?: string) =>
      eventually(
        what,
        async () => {
          await tracing.flush();
          return receiver.spans.find((s) => pick(s) && (traceId === undefined || s.traceId === traceId));
        },
        30_000,
      );

    // 1. The HTTP server span of POST /api/v1/tickets: the root of the trace.
    const http = await find('the server span of POST /api/v1/tickets', (s) => s.name === 'POST /api/v1/tickets' && s.attributes['tierline.ticket_id'] === ticket.id);
    expect(http).toMatchObject({ kind: 2, service: 'tierline-it' });
    expect(http.attributes).toMatchObject({ 'http.route': '/api/v1/tickets', 'http.response.status_code': 201 });
    const trace = http.traceId;
    // Its parent is this test's own fetch (traced like any call between services), the trace's root.
    const caller = receiver.spans.find((s) => s.spanId === http.parentSpanId);
    expect(caller, 'the server span did not continue the caller traceparent').toMatchObject({ kind: 3, name: 'POST', traceId: trace, parentSpanId: undefined });
    const inTrace = (what: string, pick: (s: CollectedSpan) => boolean) => find(what, pick, trace);
    const childOf = (child: CollectedSpan, parent: CollectedSpan, what: string) => expect(child.parentSpanId, `${what}: parent is not ${parent.name}`).toBe(parent.spanId);

    // 2. The Temporal client's start, inside the request; 3. the workflow run, child of the start.
    const start = await inTrace('the workflow start span', (s) => s.name === 'StartWorkflow:ticketWorkflow');
    childOf(start, http, 'StartWorkflow');
    expect(start.attributes['temporalWorkflowId']).toBe(ticket.workflowId);
    const run = await inTrace('the workflow run span', (s) => s.name === 'RunWorkflow:ticketWorkflow');
    childOf(run, start, 'RunWorkflow');

    // 4. The escalation: the workflow schedules the activity, the worker runs it.
    const runs = async () => {
      // The escalation's activity is the one that published ticket.escalated and a notify command.
      for (const a of receiver.spans.filter((s) => s.traceId === trace && s.name === 'RunActivity:recordTicketEvent')) {
        const children = receiver.spans.filter((s) => s.parentSpanId === a.spanId);
        const escalated = children.find((s) => s.name === 'publish tierline.events.ticket.escalated');
        const command = children.find((s) => s.name === `publish ${subject}`);
        if (escalated && command) return { activity: a, publish: command, escalatedPub: escalated };
      }
      return undefined;
    };
    const { activity, publish, escalatedPub } = await eventually('the escalation activity and its NATS publishes', async () => {
      await tracing.flush();
      return runs();
    });
    const scheduled = receiver.spans.find((s) => s.spanId === activity.parentSpanId)!;
    expect(scheduled?.name, 'the activity span has no StartActivity parent').toBe('StartActivity:recordTicketEvent');
    childOf(scheduled, run, 'StartActivity');
    expect(activity.attributes).toMatchObject({ temporalWorkflowId: ticket.workflowId, 'tierline.ticket_id': ticket.id });

    // 5. The NATS command publish (the activity's child), 6. its consumption by the notification
    // service, 7. the delivery, whose email Mailpit accepted.
    expect(publish).toMatchObject({ kind: 4 });
    expect(publish.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': subject });
    const consume = await inTrace('the notification consume span of the command', (s) => s.name === `process ${subject}` && s.parentSpanId === publish.spanId);
    expect(consume.attributes).toMatchObject({ 'messaging.consumer.group.name': durable, 'tierline.ticket_id': ticket.id });
    const delivery = await inTrace('the email delivery span of the command', (s) => s.name === 'deliver email' && s.parentSpanId === consume.spanId);
    expect(delivery.attributes).toMatchObject({ 'tierline.notification.channel': 'email', 'tierline.notification.kind': 'page', 'tierline.notification.outcome': 'sent' });

    // The escalation event reaches the audit service in the same trace.
    const audited = await inTrace('the audit append of ticket.escalated', (s) => s.name === 'process tierline.events.ticket.escalated' && s.parentSpanId === escalatedPub.spanId);
    expect(audited.attributes['messaging.consumer.group.name']).toMatch(/^it-audit-tracing-/);

    // The worker's and the services' spans all carry this one trace id.
    expect(new Set([http, start, run, scheduled, activity, publish, consume, delivery, audited].map((s) => s.traceId))).toEqual(new Set([trace]));
    expect([...receiver.contentTypes]).toEqual(['application/json']);

    // The logs carry the same ids: the ticket service's lines of the request that opened the
    // ticket, and the notification service's line of the delivery.
    const requestLine = ticketLogs.lines.find((l) => l['msg'] === 'request' && l['path'] === '/api/v1/tickets' && l['method'] === 'POST');
    expect(requestLine, 'no access log line of POST /api/v1/tickets').toMatchObject({ requestId: http.attributes['tierline.request_id'], ticketId: ticket.id, trace_id: trace, span_id: http.spanId });
    const openedLine = ticketLogs.lines.find((l) => l['msg'] === 'ticket opened');
    expect(openedLine).toMatchObject({ requestId: http.attributes['tierline.request_id'], ticketId: ticket.id, trace_id: trace });
    // Written once the send is recorded, after the delivery span: in the consumer's span.
    const sentLine = notificationLogs.lines.find((l) => l['msg'] === 'delivery sent' && l['span_id'] === consume.spanId);
    expect(sentLine, `no "delivery sent" line in the command's consume span: ${JSON.stringify(notificationLogs.lines.slice(-5))}`).toMatchObject({
      ticketId: ticket.id,
      trace_id: trace,
      consumer: durable,
      channel: 'email',
    });
    const logs = JSON.stringify([...ticketLogs.lines, ...notificationLogs.lines]);
    for (const secret of [TITLE, DESCRIPTION, RESOLUTION, LEAD.email!]) expect(logs, `a log line carried "${secret}"`).not.toContain(secret);

    // No span anywhere holds the ticket's title, description, resolution or an email address.
    const dump = JSON.stringify(receiver.spans);
    for (const secret of [TITLE, DESCRIPTION, RESOLUTION, 'Mrs Example', LEAD.email!]) expect(dump, `a span carried "${secret}"`).not.toContain(secret);
    expect(dump, 'a span carried an email address').not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);
  });
});
