import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { rateLimit } from './rate-limit.js';
import { makeErrorHandler } from './errors.js';
import { createLogger } from './logger.js';

function appWith(now: () => number) {
  const app = new Hono();
  app.onError(makeErrorHandler(createLogger('test', 'silent')));
  app.use('/limited/*', rateLimit({ name: 'the test endpoint', max: 2, windowMs: 60_000, key: (c) => c.req.header('x-who') ?? 'anon', now }));
  app.get('/limited/x', (c) => c.json({ ok: true }));
  return app;
}

describe('rateLimit', () => {
  it('refuses the request over the limit with 429, the envelope and Retry-After, per key, until the window passes', async () => {
    let t = 1_000_000;
    const app = appWith(() => t);
    const get = (who: string) => app.request('/limited/x', { headers: { 'x-who': who } });
    expect((await get('a')).status).toBe(200);
    expect((await get('a')).status).toBe(200);
    const refused = await get('a');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('RATE_LIMITED');
    expect(body.error.message).toContain('the test endpoint');
    expect((await get('b')).status, 'another key has its own window').toBe(200);
    t += 60_000;
    expect((await get('a')).status, 'a new window').toBe(200);
  });
});
