import { describe, expect, it } from 'vitest';
import { createRoute, z } from '@hono/zod-openapi';
import { createServiceApp } from './http.js';
import { AppError } from './errors.js';
import { createLogger } from './logger.js';

function app() {
  const a = createServiceApp<{ Variables: { requestId: string } }>({ name: 't', logger: createLogger('t', 'silent'), readiness: { db: async () => undefined, broken: async () => { throw new Error('down'); } } });
  a.openapi(
    createRoute({ method: 'post', path: '/things', request: { body: { content: { 'application/json': { schema: z.object({ name: z.string().min(2), size: z.number() }) } } } }, responses: { 200: { description: 'ok' } } }),
    (c) => c.json({ ok: true }, 200),
  );
  a.get('/conflict', () => {
    throw new AppError('CONFLICT', 'version 3 is published and cannot change');
  });
  a.get('/boom', () => {
    throw new Error('secret internals');
  });
  return a;
}

describe('the error envelope', () => {
  it('turns zod failures into 400 naming each field', async () => {
    const res = await app().request('/things', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; details: { path: string }[]; requestId: string } };
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.details.map((d) => d.path)).toEqual(['name', 'size']);
    expect(body.error.message).toContain('name, size');
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('maps codes to statuses in one place and hides internals of unexpected errors', async () => {
    const conflict = await app().request('/conflict');
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe('CONFLICT');
    const boom = await app().request('/boom');
    expect(boom.status).toBe(500);
    expect(JSON.stringify(await boom.json())).not.toContain('secret internals');
  });

  it('answers unknown routes and oversized bodies in the envelope', async () => {
    const nf = await app().request('/nope');
    expect(nf.status).toBe(404);
    const big = await app().request('/things', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(300 * 1024) }, body: 'x'.repeat(300 * 1024) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('reports readiness per dependency', async () => {
    const res = await app().request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'not ready', checks: { db: 'ok', broken: 'unavailable: down' } });
    expect((await app().request('/healthz')).status).toBe(200);
  });
});
