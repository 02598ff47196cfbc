import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { API_CSP, DOCS_CSP, createServiceApp } from './http.js';
import { createLogger } from './logger.js';

function app() {
  const a = createServiceApp<{ Variables: object }>({ name: 'test', logger: createLogger('test', 'silent'), readiness: {} });
  a.get('/api/v1/thing', (c) => c.json({ name: 'Nora Nurse' }));
  a.get('/api/v1/refused', () => {
    throw new AppError('FORBIDDEN', 'no');
  });
  a.get('/api/docs', (c) => {
    c.header('Content-Security-Policy', DOCS_CSP);
    return c.html('<!doctype html><title>docs</title>');
  });
  a.get('/api/v1/public-key', (c) => c.json({ key: 'k' }, 200, { 'Cache-Control': 'public, max-age=300' }));
  a.get('/v/page', (c) => c.html('<p>page</p>', 200, { 'Content-Security-Policy': "default-src 'none'; style-src 'self'", 'Referrer-Policy': 'same-origin' }));
  return a;
}

const strict = {
  'content-security-policy': API_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

function headersOf(res: Response, names: string[]) {
  return Object.fromEntries(names.map((n) => [n, res.headers.get(n)]));
}

describe('service security headers', () => {
  it('gives a JSON answer the strict CSP, nosniff, no referrer, HSTS, no framing and no caching', async () => {
    const res = await app().request('/api/v1/thing');
    expect(res.status).toBe(200);
    expect(headersOf(res, Object.keys(strict))).toEqual(strict);
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('gives errors (thrown, unknown route) the same headers', async () => {
    for (const path of ['/api/v1/refused', '/api/v1/nothing-here']) {
      const res = await app().request(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(headersOf(res, Object.keys(strict)), path).toEqual(strict);
    }
  });

  it("keeps a route's own CSP and caching, and still adds what the route did not set", async () => {
    const docs = await app().request('/api/docs');
    expect(docs.headers.get('content-security-policy')).toBe(DOCS_CSP);
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
    expect(docs.headers.get('cache-control')).toBe('no-store');
    const key = await app().request('/api/v1/public-key');
    expect(key.headers.get('cache-control')).toBe('public, max-age=300');
    expect(key.headers.get('content-security-policy')).toBe(API_CSP);
    const page = await app().request('/v/page');
    expect(headersOf(page, ['content-security-policy', 'referrer-policy', 'strict-transport-security'])).toEqual({
      'content-security-policy': "default-src 'none'; style-src 'self'",
      'referrer-policy': 'same-origin',
      'strict-transport-security': 'max-age=63072000; includeSubDomains',
    });
  });

  it('lets the API viewer load its own scripts and the OpenAPI document, and nothing from elsewhere', () => {
    const directives = Object.fromEntries(DOCS_CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['default-src']).toEqual(["'none'"]);
  });
});
