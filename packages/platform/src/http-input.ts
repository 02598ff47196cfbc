import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError } from './errors.js';

/** The largest value of a PostgreSQL `integer` (int4): numbers that reach a query must fit. */
export const PG_INT_MAX = 2_147_483_647;

/**
 * A positive whole number in a path or query (`/policies/versions/{version}`), bounded by what the
 * PostgreSQL column can hold: a larger one is a 400 naming the parameter, never a query error.
 */
export const pathInt = () => z.coerce.number().int().positive().max(PG_INT_MAX);

/** The first place in a JSON value holding a NUL character, as a dotted path; undefined if none. */
export function findNul(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '(body)' : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], path ? `${path}.${i}` : String(i));
      if (hit) return hit;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${k}` : k;
      if (k.includes('\u0000')) return here;
      const hit = findNul(v, here);
      if (hit) return hit;
    }
  }
  return undefined;
}

function refuse(where: string, field: string): never {
  throw new AppError('BAD_REQUEST', `invalid request in ${where}: ${field} contains a NUL character`, [
    { path: field, message: 'must not contain the NUL character (\\u0000)' },
  ]);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Refuses a NUL character (U+0000) in any path segment, query parameter, header value reaching a
 * handler or JSON body string with a 400 that names the field. PostgreSQL `text` cannot hold it, so
 * it would otherwise fail deep in a query as a 500; no Tierline field has a use for it.
 */
export function refuseNulCharacters() {
  return createMiddleware(async (c: Context, next) => {
    const url = new URL(c.req.url);
    const segments = url.pathname.split('/');
    for (const seg of segments) if (safeDecode(seg).includes('\u0000')) refuse('path', url.pathname.replaceAll('%00', '\\u0000'));
    for (const [k, v] of url.searchParams) if (k.includes('\u0000') || v.includes('\u0000')) refuse('query', k.replaceAll('\u0000', '\\u0000'));
    const type = c.req.header('content-type') ?? '';
    if (/^application\/(?:[\w.+-]*\+)?json\b/i.test(type) && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      let body: unknown;
      try {
        // Hono caches the parsed body: the route's validator reads the same value.
        body = await c.req.json();
      } catch {
        body = undefined; // malformed JSON: the route's validator answers it with its own 400
      }
      const hit = findNul(body);
      if (hit) refuse('json', hit.replaceAll('\u0000', '\\u0000'));
    }
    await next();
  });
}

const patterns = new Map<string, RegExp>();

/** Hono route pattern (`/a/:id/b`, `*`) → a regular expression over a path. */
function patternOf(path: string): RegExp {
  let re = patterns.get(path);
  if (!re) patterns.set(path, (re = compile(path)));
  return re;
}

function compile(path: string): RegExp {
  const src = path
    .split('/')
    .map((seg) => {
      if (seg === '*') return '.*';
      if (seg.startsWith(':')) {
        const custom = /^:[^{]+\{(.+)\}$/.exec(seg);
        return custom ? `(?:${custom[1]})` : '[^/]+';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${src}/?$`);
}

/** Literal segments of a route path: the more, the more specific the route. */
function literalSegments(path: string): number {
  return path.split('/').filter((seg) => seg !== '' && seg !== '*' && !seg.startsWith(':')).length;
}

/**
 * The methods that have a handler on `path` among `routes` (Hono's route table). Middleware is
 * registered with method ALL and is not a handler, so ALL entries are left out; HEAD is allowed
 * wherever GET is (Hono answers it from the GET handler). When several route paths match, the
 * most literal one is the path (as OpenAPI matches concrete paths before templated ones):
 * `/teams/{id}/on-call/schedule` is not `/teams/{id}/on-call/{shiftId}` with a shift id "schedule".
 */
export function allowedMethods(routes: readonly { method: string; path: string }[], path: string): string[] {
  const matching = routes.filter((r) => r.method !== 'ALL' && !r.path.endsWith('*') && patternOf(r.path).test(path));
  const most = Math.max(-1, ...matching.map((r) => literalSegments(r.path)));
  const methods = new Set(matching.filter((r) => literalSegments(r.path) === most).map((r) => r.method.toUpperCase()));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/** Trimmed free text of at least `min` characters; defined in contracts, where browser forms can use it too. */
export { trimmedText } from '@tierline/contracts';
