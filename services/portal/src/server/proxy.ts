import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { errorBody } from '@tierline/platform';

/** Which backend answers which path prefix. A prefix matches itself and anything below `prefix/`. */
export interface Route {
  prefix: string;
  service: string;
  baseUrl: string;
}

export function routeFor(routes: readonly Route[], path: string): Route | undefined {
  return routes.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`));
}

/** Request headers the browser may pass to a backend; everything else (cookies…) stays here. */
const FORWARDED_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'accept-language',
  'last-event-id',
  'if-match',
  'if-none-match',
  'idempotency-key',
];

/** Hop-by-hop headers never cross a proxy (RFC 9110 §7.6.1). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

export interface ProxyOptions {
  /** How long to wait for the backend's response headers; the body (e.g. SSE) may run longer. */
  headersTimeoutMs: number;
  fetch?: typeof fetch;
}

function clientAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // not running under @hono/node-server (e.g. app.request in tests)
  }
}

/**
 * Forwards the request to the route's backend unchanged in method, path, query and body,
 * and streams the answer back. A backend that cannot be reached becomes a 502 (504 when it
 * accepts the connection but does not answer) in the standard error envelope.
 */
export async function forward(c: Context, route: Route, opts: ProxyOptions): Promise<Response> {
  const incoming = new URL(c.req.url);
  const target = `${route.baseUrl}${incoming.pathname}${incoming.search}`;
  const setId: string | undefined = c.get('requestId');
  const requestId = setId ?? 'unknown';

  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = c.req.header(name);
    if (value !== undefined) headers.set(name, value);
  }
  headers.set('x-request-id', requestId);
  const remote = clientAddress(c);
  const prior = c.req.header('x-forwarded-for');
  if (remote) headers.set('x-forwarded-for', prior ? `${prior}, ${remote}` : remote);
  else if (prior) headers.set('x-forwarded-for', prior);
  headers.set('x-forwarded-proto', incoming.protocol.replace(/:$/, ''));
  headers.set('x-forwarded-host', c.req.header('host') ?? incoming.host);

  const method = c.req.method;
  // fetch (undici) refuses to send CONNECT, TRACE and TRACK at all, and no Tierline API has them:
  // answer 405 here, with the methods the path does have, asked of the backend with OPTIONS (which
  // every service answers with a 405 and its Allow header). Never a 502: nothing is down.
  if (UNFORWARDABLE_METHODS.has(method.toUpperCase())) return notAllowedHere(c, route, target, headers, requestId, opts);
  // Bodies are small (the body limit applies before this) so buffering keeps things simple.
  const body = method === 'GET' || method === 'HEAD' ? undefined : await c.req.arrayBuffer();

  // Abort when the browser goes away, or when the backend does not start answering in time.
  const controller = new AbortController();
  const onClientAbort = () => controller.abort(new Error('client closed the connection'));
  c.req.raw.signal.addEventListener('abort', onClientAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('timed out waiting for response headers'));
  }, opts.headersTimeoutMs);

  let upstream: Response;
  try {
    upstream = await (opts.fetch ?? fetch)(target, {
      method,
      headers,
      body: body && body.byteLength > 0 ? body : undefined,
      redirect: 'manual',
      signal: controller.signal,
    });
  } catch {
    c.req.raw.signal.removeEventListener('abort', onClientAbort);
    return timedOut
      ? c.json(errorBody('UNAVAILABLE', `the ${route.service} service did not answer in time`, requestId), 504)
      : c.json(errorBody('UNAVAILABLE', `the ${route.service} service is unavailable`, requestId), 502);
  } finally {
    clearTimeout(timer);
  }

  const responseHeaders = new Headers(upstream.headers);
  for (const h of HOP_BY_HOP) responseHeaders.delete(h);
  responseHeaders.set('x-request-id', requestId);
  // fetch has already decoded a compressed body; its length and encoding no longer apply.
  if (responseHeaders.has('content-encoding')) {
    responseHeaders.delete('content-encoding');
    responseHeaders.delete('content-length');
  }
  const streamed = upstream.body ? endQuietlyOnClientAbort(upstream.body, c.req.raw.signal) : null;
  return new Response(streamed, { status: upstream.status, statusText: upstream.statusText, headers: responseHeaders });
}

/**
 * The backend's body, passed on chunk by chunk as it arrives (an event stream must not wait for
 * its end). When the browser goes away the backend request is aborted, which errors this body;
 * that is the normal end of every live stream (a tab closed, a page left), so it ends the
 * response quietly instead of being reported by the HTTP server as a failed response.
 */
/** Methods fetch will not send (the Fetch standard's forbidden methods). */
const UNFORWARDABLE_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

async function notAllowedHere(c: Context, route: Route, target: string, headers: Headers, requestId: string, opts: ProxyOptions): Promise<Response> {
  let allow: string | null = null;
  let known = true;
  try {
    const res = await (opts.fetch ?? fetch)(target, { method: 'OPTIONS', headers, redirect: 'manual', signal: AbortSignal.timeout(opts.headersTimeoutMs) });
    allow = res.headers.get('allow');
    known = res.status !== 404;
    await res.body?.cancel();
  } catch {
    // The backend is down: the method is refused all the same, without the list.
  }
  if (!known) return c.json(errorBody('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`, requestId), 404);
  const message = `${c.req.method} is not a method of the ${route.service} API`;
  return c.json(errorBody('METHOD_NOT_ALLOWED', allow ? `${message}; allowed: ${allow}` : message, requestId), 405, allow ? { Allow: allow } : {});
}

function endQuietlyOnClientAbort(body: ReadableStream<Uint8Array>, clientSignal: AbortSignal): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        if (clientSignal.aborted) controller.close();
        else controller.error(err);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
