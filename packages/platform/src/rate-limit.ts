import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import { trustedProxyHops } from './env.js';
import { AppError } from './errors.js';
import type { RequestVariables } from './hono-env.js';

export interface RateLimitOptions {
  /** What the limit protects, for the error message ("vendor links", "user management"). */
  name: string;
  /** Requests allowed per key within one window. */
  max: number;
  windowMs: number;
  /**
   * Who is counted. Defaults to the signed-in actor, else the client address. Keys are kept in
   * memory, so each replica counts on its own: the limit is per replica, which bounds abuse while
   * needing no shared store on the request path.
   */
  key?: (c: Context) => string;
  now?: () => number;
}

/** The TRUSTED_PROXY_HOPS of this process (validated at start-up by baseEnvSchema); 0 if unset or invalid. */
export function trustedProxyHopsFromEnv(source: NodeJS.ProcessEnv = process.env): number {
  const parsed = trustedProxyHops.safeParse(source['TRUSTED_PROXY_HOPS']);
  return parsed.success ? parsed.data : 0;
}

/**
 * The address of the client that sent a request, the one helper for every rate limit and every
 * recorded address. Each trusted proxy appends the address it received the request from to
 * X-Forwarded-For, so with `hops` proxies in front of this process the client is the entry
 * `hops` places from the right of [X-Forwarded-For…, socket address]. Whatever a client writes
 * into the header itself stays to the left of that and is never taken. With 0 hops (the default)
 * the header is ignored and the socket's address is the client's.
 */
export function clientAddress(c: Context, hops = trustedProxyHopsFromEnv()): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  const socket = incoming?.socket?.remoteAddress ?? 'unknown';
  if (hops <= 0) return socket;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const chain = [...forwarded, socket];
  // Fewer entries than proxies: the request skipped one (possible only from inside the
  // deployment's network, the proxy being the one published entry); the leftmost is the best left.
  return chain[Math.max(0, chain.length - 1 - hops)]!;
}

/** Before requireAuth (the vendor link pages) there is no actor: the client's address counts. */
function defaultKey(c: Context): string {
  const actor = c.get('actor') as RequestVariables['actor'] | undefined;
  return actor?.id ? `actor:${actor.id}` : `ip:${clientAddress(c)}`;
}

/**
 * A fixed-window limit per key. Over the limit the request is refused with 429, the one error
 * envelope and Retry-After; nothing behind the middleware runs.
 */
export function rateLimit(opts: RateLimitOptions) {
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = now();
  return createMiddleware(async (c, next) => {
    const t = now();
    if (t - lastSweep > opts.windowMs) {
      for (const [k, w] of windows) if (t - w.start >= opts.windowMs) windows.delete(k);
      lastSweep = t;
    }
    const key = (opts.key ?? defaultKey)(c);
    let w = windows.get(key);
    if (!w || t - w.start >= opts.windowMs) {
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    w.count += 1;
    if (w.count > opts.max) {
      const retryAfter = Math.max(1, Math.ceil((w.start + opts.windowMs - t) / 1000));
      c.header('Retry-After', String(retryAfter));
      throw new AppError('RATE_LIMITED', `too many requests to ${opts.name}; retry in ${retryAfter} s`);
    }
    await next();
  });
}
