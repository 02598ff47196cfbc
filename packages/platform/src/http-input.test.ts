import { createRoute, z } from '@hono/zod-openapi';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { createServiceApp, listen } from './http.js';
import { allowedMethods, findNul, pathInt, PG_INT_MAX } from './http-input.js';
import { createLogger } from './logger.js';
import { completeDocument, errorResponse, limitOperations, serveOpenApiDocument } from './openapi.js';
import { rateLimit } from './rate-limit.js';

/** A request over a real socket: fetch and Request refuse TRACE, node's HTTP client does not. */
function raw(port: number, method: string, path: string): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function app(opts: { limitCreate?: number } = {}) {
  const a = createServiceApp<{ Variables: object }>({ name: 'test', logger: createLogger('test', 'silent'), readiness: {} });
  if (opts.limitCreate) limitOperations(a, rateLimit({ name: 'test', max: opts.limitCreate, windowMs: 60_000 }), [{ method: 'post', path: '/api/v1/tickets' }]);
  const seen: unknown[] = [];
  a.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/tickets',
      request: { body: { content: { 'application/json': { schema: z.object({ title: z.string(), tags: z.array(z.string()).default([]) }) } } } },
      responses: { 201: { description: 'created' } },
    }),
    (c) => {
      seen.push(c.req.valid('json'));
      return c.body(null, 201);
    },
  );
  a.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/policies/versions/{version}',
      request: { params: z.object({ version: pathInt().openapi({ param: { name: 'version', in: 'path' } }) }) },
      responses: { 200: { description: 'the version' } },
    }),
    (c) => c.json({ version: c.req.valid('param').version }, 200),
  );
  a.get('/api/v1/tickets/:id/comments', (c) => c.json({ comments: [] }));
  return { app: a, seen };
}

describe('NUL characters (finding: a NUL in any free-text field was a 500)', () => {
  it('refuses a NUL in a JSON body string with a 400 naming the field, before the handler runs', async () => {
    const { app: a, seen } = app();
    const res = await a.request('/api/v1/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'EHR \u0000 down' }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; details: { path: string }[] } };
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.details).toEqual([{ path: 'title', message: expect.stringContaining('NUL') as string }]);
    expect(seen).toEqual([]);
  });

  it('names a nested field, and refuses a NUL in a query parameter or a path segment', async () => {
    const { app: a } = app();
    const nested = await a.request('/api/v1/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'ok', tags: ['a', 'b\u0000'] }) });
    expect(nested.status).toBe(400);
    expect(((await nested.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('tags.1');
    expect((await a.request('/api/v1/tickets/x/comments?q=a%00b')).status).toBe(400);
    expect((await a.request('/api/v1/tickets/a%00b/comments')).status).toBe(400);
  });

  it('lets ordinary text through unchanged', async () => {
    const { app: a, seen } = app();
    const res = await a.request('/api/v1/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Drucker \\0 im 2. Stock' }) });
    expect(res.status).toBe(201);
    expect(seen).toEqual([{ title: 'Drucker \\0 im 2. Stock', tags: [] }]);
    expect(findNul({ a: [{ b: 'x' }] })).toBeUndefined();
  });
});

describe('numbers in paths (finding: a version beyond PostgreSQL integer was a 500)', () => {
  it('refuses a path number beyond PostgreSQL integer with a 400 naming the parameter', async () => {
    const { app: a } = app();
    const res = await a.request('/api/v1/policies/versions/41973296136555');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('version');
    expect((await a.request(`/api/v1/policies/versions/${PG_INT_MAX}`)).status).toBe(200);
    expect((await a.request(`/api/v1/policies/versions/${PG_INT_MAX + 1}`)).status).toBe(400);
  });
});

describe('methods a path does not have (finding: TRACE was not a 405)', () => {
  it('answers a known path asked with another method 405 with Allow listing its methods', async () => {
    const server = await listen(app().app, 0);
    try {
      for (const method of ['TRACE', 'DELETE', 'OPTIONS', 'PATCH']) {
        const res = await raw(server.port, method, '/api/v1/tickets/7/comments');
        expect(res.status, method).toBe(405);
        expect(res.allow, method).toBe('GET, HEAD');
        expect((JSON.parse(res.body) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
      }
      expect((await raw(server.port, 'TRACE', '/api/v1/policies/versions/3')).allow).toBe('GET, HEAD');
      expect((await raw(server.port, 'GET', '/api/v1/tickets')).allow).toBe('POST');
    } finally {
      await server.close();
    }
  });

  it('takes the most literal of the paths that match: a concrete path is not a value of a templated one', () => {
    const routes = [
      { method: 'GET', path: '/api/v1/teams/:id/on-call/schedule' },
      { method: 'DELETE', path: '/api/v1/teams/:id/on-call/:shiftId' },
      { method: 'GET', path: '/api/v1/teams/:id/on-call' },
    ];
    expect(allowedMethods(routes, '/api/v1/teams/t1/on-call/schedule')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods(routes, '/api/v1/teams/t1/on-call/8c4e')).toEqual(['DELETE']);
    expect(allowedMethods(routes, '/api/v1/teams/t1/on-call')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods(routes, '/api/v1/nothing')).toEqual([]);
  });

  it('answers 405 before authentication: the answer is about the API, not the caller', async () => {
    const a = createServiceApp<{ Variables: object }>({ name: 'test', logger: createLogger('test', 'silent'), readiness: {} });
    a.use('/api/v1/*', async (c, next) => {
      if (!c.req.header('authorization')) throw new AppError('UNAUTHORIZED', 'no token');
      await next();
    });
    a.get('/api/v1/things', (c) => c.json([]));
    const server = await listen(a, 0);
    try {
      const res = await raw(server.port, 'TRACE', '/api/v1/things');
      expect(res.status).toBe(405);
      expect(res.allow).toBe('GET, HEAD');
      expect((await raw(server.port, 'GET', '/api/v1/things')).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('keeps 404 for a path no route has', async () => {
    const server = await listen(app().app, 0);
    try {
      expect((await raw(server.port, 'TRACE', '/api/v1/nothing-here')).status).toBe(404);
    } finally {
      await server.close();
    }
    expect(allowedMethods([{ method: 'ALL', path: '/api/v1/*' }], '/api/v1/x')).toEqual([]);
  });
});

describe('the served document declares what the server answers (finding: undeclared 429 and 400)', () => {
  it('adds 400 to operations with parameters or a body, and 429 to the rate-limited ones', async () => {
    const { app: a } = app({ limitCreate: 1 });
    serveOpenApiDocument(a, '/api/v1/openapi.json', { openapi: '3.1.0', info: { title: 't', version: '1' } });
    const doc = (await (await a.request('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/api/v1/tickets']!['post']!.responses).sort()).toEqual(['201', '400', '429']);
    expect(Object.keys(doc.paths['/api/v1/policies/versions/{version}']!['get']!.responses).sort()).toEqual(['200', '400']);
    // The limit documented is the limit applied.
    const post = () => a.request('/api/v1/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"x"}' });
    expect((await post()).status).toBe(201);
    expect((await post()).status).toBe(429);
  });

  it('keeps a status a route declared itself', () => {
    const doc = { paths: { '/x': { post: { requestBody: {}, responses: { ...errorResponse(400, 'own words') } } } } };
    const done = completeDocument(doc, new Set(['post /x']));
    expect((done.paths['/x'].post.responses as Record<string, { description: string }>)['400']!.description).toBe('own words');
    expect(Object.keys(done.paths['/x'].post.responses)).toEqual(['400', '429']);
  });
});
