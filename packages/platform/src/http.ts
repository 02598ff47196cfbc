import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { routePath } from 'hono/route';
import { serve, type ServerType } from '@hono/node-server';
import { AppError, makeErrorHandler, validationHook, errorBody } from './errors.js';
import { allowedMethods, refuseNulCharacters } from './http-input.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { runWithLogContext } from './logger.js';
import { SpanKind, SpanStatusCode, extractTraceContext, tracingEnabled, withSpan } from './tracing.js';

export type ReadinessCheck = () => Promise<unknown>;

/**
 * The Content-Security-Policy of every response of a JSON API: it loads nothing and may be framed
 * by nobody. A browser that is tricked into rendering an API answer as a page runs nothing.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * The policy of the interactive API viewer (Swagger UI, served from the npm package by each
 * service's docs route): its own scripts, styles and the OpenAPI document from the same origin.
 * Swagger UI writes inline style attributes, hence 'unsafe-inline' for styles only; scripts stay
 * 'self' (the start-up script is a file, not inline). The page shows no personal data.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface ServiceAppOptions {
  name: string;
  logger: Logger;
  /** Dependencies that must answer for /readyz to be 200. */
  readiness: Record<string, ReadinessCheck>;
  maxBodyBytes?: number;
  /** Routes that take larger bodies than maxBodyBytes (file uploads): method, path pattern and their own limit. */
  largeBodies?: readonly { method: string; path: RegExp; maxBytes: number }[];
  /** The process's registry; one is made when absent. Served at GET /metrics. */
  metrics?: Metrics;
}

/**
 * Security headers of every service response. A route may set any of these itself (the API
 * viewer's CSP, the vendor link pages' own CSP): `overwrite: false` keeps what a handler set, and
 * everything it did not set gets the strict default.
 */
export function apiSecurityHeaders() {
  const headers = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    // Two years, the preload list's minimum; TLS ends at the ingress (docs/deployment.md).
    strictTransportSecurity: 'max-age=63072000; includeSubDomains',
    crossOriginResourcePolicy: 'same-origin',
    overwrite: false,
  });
  return createMiddleware(async (c, next) => {
    await headers(c, next);
    // Answers carry tickets, names and contact details: no browser or proxy may keep them unless
    // the route said otherwise (public keys, the viewer's static assets).
    if (!c.res.headers.has('cache-control')) c.res.headers.set('Cache-Control', 'no-store');
  });
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Puts the request id on every log line written while the request runs, and, with tracing on, opens
 * the request's server span: a child of the caller's W3C traceparent when it sent one, named by the
 * route pattern ("POST /api/v1/tickets/:id/acknowledge") and carrying no path, query or body, since
 * ids and search terms in them would make a span name per ticket and could carry personal data.
 * Health and metrics probes get no span: they would drown the traces of real work.
 */
export function traceRequests() {
  return createMiddleware(async (c, next) => {
    const id = c.get('requestId');
    const run = () => runWithLogContext(id ? { requestId: id } : {}, () => next());
    if (!tracingEnabled() || PROBES.has(c.req.path)) return run();
    const method = c.req.method;
    await withSpan(
      method,
      {
        kind: SpanKind.SERVER,
        parent: extractTraceContext(c.req.raw.headers),
        attributes: { 'http.request.method': method, 'tierline.request_id': id },
      },
      async (span) => {
        await run();
        const route = routePath(c, -1);
        span.updateName(`${method} ${route}`);
        span.setAttributes({ 'http.route': route, 'http.response.status_code': c.res.status });
        if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      },
    );
  });
}

/**
 * The common shell of every Tierline HTTP service: request ids, security headers, a body size
 * limit, access logs without bodies, request metrics, the one error envelope, /healthz, /readyz
 * and /metrics (Prometheus text format; on the service's own port, which only the internal network
 * reaches — the portal does not forward it).
 */
export function createServiceApp<E extends { Variables: object }>(opts: ServiceAppOptions): OpenAPIHono<E> {
  const app = new OpenAPIHono<E>({ defaultHook: validationHook });
  app.use('*', requestId());
  app.use('*', traceRequests());
  app.use('*', apiSecurityHeaders());
  const limitTo = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', `request body larger than ${maxSize} bytes`);
      },
    });
  const defaultLimit = limitTo(opts.maxBodyBytes ?? 256 * 1024);
  const largeLimits = (opts.largeBodies ?? []).map((l) => ({ ...l, limit: limitTo(l.maxBytes) }));
  app.use('*', async (c, next) => {
    const large = largeLimits.find((l) => l.method === c.req.method && l.path.test(c.req.path));
    return (large?.limit ?? defaultLimit)(c, next);
  });
  // A known path asked with a method it does not have (TRACE, OPTIONS, DELETE on a list…) is a 405
  // listing the methods it has (RFC 9110 §15.5.6), before authentication: the answer is about the
  // API, not about the caller. Only an unknown path is a 404 (notFound below).
  app.use('*', async (c, next) => {
    const allow = allowedMethods(app.routes, c.req.path);
    if (allow.length > 0 && !allow.includes(c.req.method)) {
      const requestId = c.get('requestId');
      return c.json(errorBody('METHOD_NOT_ALLOWED', `${c.req.method} is not a method of ${c.req.path}; allowed: ${allow.join(', ')}`, requestId), 405, {
        Allow: allow.join(', '),
      });
    }
    await next();
  });
  // PostgreSQL text cannot hold U+0000: refused up front with a 400 naming the field.
  app.use('*', refuseNulCharacters());
  const metrics = opts.metrics ?? createMetrics(opts.name);
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    if (c.req.path === '/healthz' || c.req.path === '/readyz' || c.req.path === '/metrics') return;
    // The route pattern, never the path: ids in paths would make a series per ticket.
    const route = routePath(c, -1);
    const seconds = (performance.now() - started) / 1000;
    metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    metrics.httpDuration.observe({ method: c.req.method, route }, seconds);
    opts.logger.info(
      { requestId: c.get('requestId'), method: c.req.method, path: route, status: c.res.status, ms: Math.round(seconds * 1000) },
      'request',
    );
  });
  app.onError(makeErrorHandler(opts.logger));
  app.notFound((c) => c.json(errorBody('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`, c.get('requestId')), 404));
  app.get('/healthz', (c) => c.json({ status: 'ok', service: opts.name }));
  app.get('/metrics', async (c) => c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));
  app.get('/readyz', async (c) => {
    const results = await Promise.all(
      Object.entries(opts.readiness).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 3_000);
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, `unavailable: ${(err as Error).message}`] as const;
        }
      }),
    );
    const ok = results.every(([, s]) => s === 'ok');
    return c.json({ status: ok ? 'ready' : 'not ready', service: opts.name, checks: Object.fromEntries(results) }, ok ? 200 : 503);
  });
  return app;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Serves the app and resolves once listening; `close` drains and stops. */
export function listen(app: { fetch: (req: Request) => Response | Promise<Response> }, port: number, hostname = '127.0.0.1') {
  return new Promise<{ server: ServerType; port: number; close: () => Promise<void> }>((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve({
        server,
        port: info.port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

/** Runs cleanup on SIGTERM/SIGINT once, then exits. */
export function onShutdown(logger: Logger, cleanup: () => Promise<void>): void {
  let done = false;
  const handler = (signal: string) => {
    if (done) return;
    done = true;
    logger.info({ signal }, 'shutting down');
    cleanup()
      .catch((err: unknown) => logger.error({ err }, 'error during shutdown'))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
}
