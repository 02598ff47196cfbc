import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { bodyLimit } from 'hono/body-limit';
import { serveStatic } from '@hono/node-server/serve-static';
import { errorBody, makeErrorHandler, traceRequests, type Logger } from '@tierline/platform';
import { publicConfig, type PortalEnv } from './env.js';
import { forward, routeFor, type Route } from './proxy.js';
import { portalSecureHeaders } from './security.js';

export interface PortalAppOptions {
  env: PortalEnv;
  logger: Logger;
  /** Directory holding the Vite build (index.html, assets/). */
  publicDir: string;
  maxBodyBytes?: number;
  /** The limit of attachment uploads (POST /api/v1/tickets/{id}/attachments); env PORTAL_UPLOAD_MAX_BYTES. */
  uploadMaxBytes?: number;
  /** How long a backend may take to start answering before the portal gives up (504). */
  upstreamHeadersTimeoutMs?: number;
  fetch?: typeof fetch;
}

type Vars = { Variables: { requestId: string } };

/** Attachment uploads: the one kind of request allowed a large body. */
const UPLOAD_PATH = /^\/api\/v1\/tickets\/[^/]+\/attachments$/;

const rid = (c: { get: (k: 'requestId') => string | undefined }) => c.get('requestId') ?? 'unknown';

/**
 * The portal: the browser's one origin. Serves the built app, its run-time config, and forwards
 * /api/* to the owning backend service.
 */
export function createPortalApp(opts: PortalAppOptions): Hono<Vars> {
  const { env, logger } = opts;
  const maxBodyBytes = opts.maxBodyBytes ?? 256 * 1024;
  const config = publicConfig(env);
  const routes: Route[] = [
    { prefix: '/api/v1/tickets', service: 'ticket', baseUrl: env.TICKET_SERVICE_URL },
    // The live stream (server-sent events); forward() streams it through unbuffered.
    { prefix: '/api/v1/events', service: 'ticket', baseUrl: env.TICKET_SERVICE_URL },
    { prefix: '/api/v1/policies', service: 'ticket', baseUrl: env.TICKET_SERVICE_URL },
    { prefix: '/api/v1/reports', service: 'ticket', baseUrl: env.TICKET_SERVICE_URL },
    { prefix: '/api/v1/teams', service: 'ticket', baseUrl: env.TICKET_SERVICE_URL },
    { prefix: '/api/v1/assignment-rules', service: 'ticket', baseUrl: env.TICKET_SERVICE_URL },
    { prefix: '/api/v1/maintenance-windows', service: 'ticket', baseUrl: env.TICKET_SERVICE_URL },
    // Major incidents declared from nothing, and the status banner (decision 41).
    { prefix: '/api/v1/incidents', service: 'ticket', baseUrl: env.TICKET_SERVICE_URL },
    { prefix: '/api/v1/status-banners', service: 'ticket', baseUrl: env.TICKET_SERVICE_URL },
    { prefix: '/api/v1/directory', service: 'identity', baseUrl: env.IDENTITY_SERVICE_URL },
    { prefix: '/api/v1/openapi.json', service: 'ticket', baseUrl: env.TICKET_SERVICE_URL },
    { prefix: '/api/docs', service: 'ticket', baseUrl: env.TICKET_SERVICE_URL },
    { prefix: '/api/v1/me', service: 'identity', baseUrl: env.IDENTITY_SERVICE_URL },
    // The identity service's OpenAPI document (the API docs page lists every service's).
    { prefix: '/api/v1/identity', service: 'identity', baseUrl: env.IDENTITY_SERVICE_URL },
    { prefix: '/api/v1/sites', service: 'identity', baseUrl: env.IDENTITY_SERVICE_URL },
    { prefix: '/api/v1/notifications', service: 'notification', baseUrl: env.NOTIFICATION_SERVICE_URL },
    { prefix: '/api/v1/audit', service: 'audit', baseUrl: env.AUDIT_SERVICE_URL },
  ];
  const doFetch = opts.fetch ?? fetch;

  const app = new Hono<Vars>();
  app.use('*', requestId());
  // Request id on the log lines; with tracing on, a server span whose traceparent the proxy forwards.
  app.use('*', traceRequests());
  app.use('*', portalSecureHeaders(config.keycloakUrl));
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    if (c.req.path === '/healthz' || c.req.path === '/readyz' || !c.req.path.startsWith('/api/')) return;
    // Path only: query strings may carry search terms with patient details.
    logger.info({ requestId: rid(c), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.onError(makeErrorHandler(logger));
  app.notFound((c) => c.json(errorBody('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`, rid(c)), 404));

  app.get('/healthz', (c) => c.json({ status: 'ok', service: 'portal' }));
  app.get('/readyz', async (c) => {
    let ticket = 'ok';
    try {
      const res = await doFetch(`${env.TICKET_SERVICE_URL}/healthz`, { signal: AbortSignal.timeout(3_000) });
      if (!res.ok) ticket = `unavailable: HTTP ${res.status}`;
      await res.body?.cancel();
    } catch (err) {
      ticket = `unavailable: ${(err as Error).message}`;
    }
    const ok = ticket === 'ok';
    return c.json({ status: ok ? 'ready' : 'not ready', service: 'portal', checks: { ticket } }, ok ? 200 : 503);
  });

  app.get('/config.json', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(config);
  });

  const limitTo = (maxSize: number) =>
    bodyLimit({
      maxSize,
      // The unread rest of the body would poison a kept-alive connection: close it.
      onError: (c) => c.json(errorBody('PAYLOAD_TOO_LARGE', `request body larger than ${maxSize} bytes`, rid(c)), 413, { connection: 'close' }),
    });
  const defaultLimit = limitTo(maxBodyBytes);
  const uploadLimit = limitTo(opts.uploadMaxBytes ?? env.PORTAL_UPLOAD_MAX_BYTES);
  app.use('/api/*', (c, next) => (c.req.method === 'POST' && UPLOAD_PATH.test(c.req.path) ? uploadLimit : defaultLimit)(c, next));
  app.all('/api/*', async (c) => {
    const route = routeFor(routes, c.req.path);
    if (!route) return c.json(errorBody('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`, rid(c)), 404);
    return forward(c, route, { headersTimeoutMs: opts.upstreamHeadersTimeoutMs ?? 30_000, fetch: doFetch });
  });

  // The built app: content-hashed assets are cached for good, everything else is revalidated.
  app.use(
    '*',
    serveStatic({
      root: opts.publicDir,
      onFound: (path, c) => {
        c.header('Cache-Control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  // A missing hashed asset must not turn into HTML the browser then tries to run.
  app.get('/assets/*', (c) => c.text('not found', 404));
  // SPA fallback: any other page path is the app's job (client-side router).
  app.get('*', async (c) => {
    let html: string;
    try {
      html = await readFile(join(opts.publicDir, 'index.html'), 'utf8');
    } catch {
      return c.json(errorBody('UNAVAILABLE', 'the portal app has not been built', rid(c)), 503);
    }
    c.header('Cache-Control', 'no-cache');
    return c.html(html);
  });

  return app;
}
