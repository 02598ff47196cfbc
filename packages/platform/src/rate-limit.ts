import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import { AppError } from './errors.js';

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

/** The client address as the socket saw it (X-Forwarded-For only when a proxy is trusted). */
export function clientAddress(c: Context, trustProxy = process.env['TRUST_PROXY'] === 'true'): string {
  if (trustProxy) {
    const fwd = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (fwd) return fwd;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

function defaultKey(c: Context): string {
  const actor = c.get('actor' as never) as { id?: string } | undefined;
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
