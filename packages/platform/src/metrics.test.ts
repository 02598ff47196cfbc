import { describe, expect, it } from 'vitest';
import { createServiceApp } from './http.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';

describe('service metrics', () => {
  it('counts requests by route pattern (never the raw path) and status, and serves them at /metrics', async () => {
    const metrics = createMetrics('test');
    const app = createServiceApp<{ Variables: object }>({ name: 'test', logger: createLogger('test', 'silent'), readiness: {}, metrics });
    app.get('/api/v1/tickets/:id', (c) => c.json({ id: c.req.param('id') }));
    await app.request('/api/v1/tickets/11111111-1111-4111-8111-111111111111');
    await app.request('/api/v1/tickets/22222222-2222-4222-8222-222222222222');
    await app.request('/nowhere');
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('http_requests_total{method="GET",route="/api/v1/tickets/:id",status="200",service="test"} 2');
    expect(text).toMatch(/http_requests_total\{method="GET",route="[^"]*",status="404",service="test"\} 1/);
    expect(text, 'no series per ticket id').not.toContain('11111111-1111');
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('reads a scrape-time gauge when scraped', async () => {
    const metrics = createMetrics('test', { defaultMetrics: false });
    let pending = 3;
    metrics.gauge('tierline_consumer_pending_messages', 'Messages not yet delivered to the consumer', ['consumer'] as const, (g) => {
      g.set({ consumer: 'audit' }, pending);
    });
    expect(await metrics.registry.metrics()).toContain('tierline_consumer_pending_messages{consumer="audit",service="test"} 3');
    pending = 0;
    expect(await metrics.registry.metrics()).toContain('tierline_consumer_pending_messages{consumer="audit",service="test"} 0');
  });
});
