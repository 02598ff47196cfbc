import type { Context, MiddlewareHandler } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ErrorEnvelopeSchema } from '@tierline/contracts';

/**
 * An OpenAPI response entry for an error status, always in the one error envelope. Routes spread
 * these into `responses`, each with the description that fits the service.
 */
export function errorResponse<S extends number>(status: S, description: string) {
  return { [status]: { description, content: { 'application/json': { schema: ErrorEnvelopeSchema } } } } as {
    [K in S]: { description: string; content: { 'application/json': { schema: typeof ErrorEnvelopeSchema } } };
  };
}

type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** An operation as the OpenAPI document names it: method and path template (`/users/{id}/roles`). */
export interface Operation {
  method: HttpMethod;
  path: string;
}

/** The app's rate-limited operations, recorded where the limit is installed, read by the document. */
const limitedOperations = new WeakMap<object, Set<string>>();
const opKey = (method: string, path: string) => `${method.toLowerCase()} ${path}`;

/** `/users/{id}/roles` → Hono's `/users/:id/roles`. */
export const honoPath = (openApiPath: string) => openApiPath.replace(/\{([^}]+)\}/g, ':$1');

interface RoutingApp {
  on(method: string, path: string, ...handlers: MiddlewareHandler[]): unknown;
}

/**
 * Puts `limiter` (a `rateLimit(...)`) in front of each of `operations` and records them, so the
 * app's OpenAPI document declares their 429 (serveOpenApiDocument): the limit and its
 * documentation come from the one list. Call after the authentication middleware (the limit counts
 * per signed-in actor) and before the routes.
 */
export function limitOperations(app: RoutingApp, limiter: MiddlewareHandler, operations: readonly Operation[]): void {
  let set = limitedOperations.get(app);
  if (!set) limitedOperations.set(app, (set = new Set()));
  for (const op of operations) {
    app.on(op.method.toUpperCase(), honoPath(op.path), limiter);
    set.add(opKey(op.method, op.path));
  }
}

const METHODS: readonly HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];

interface OperationObject {
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}

/**
 * A nullable reference (`CheckpointSchema.nullable()`) comes out of the generator as
 * `allOf: [{ $ref }, { type: ['object', 'null'] }]`, which never allows null (the referenced schema
 * refuses it) and which breaks tools that resolve references (Schemathesis). JSON Schema 2020-12,
 * OpenAPI 3.1's dialect, says it as `anyOf: [{ $ref }, { type: 'null' }]`.
 */
function nullableReferences(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) nullableReferences(n);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  const all = o['allOf'];
  if (Array.isArray(all) && all.length === 2) {
    const [ref, marker] = all as [Record<string, unknown>, Record<string, unknown>];
    const type = marker['type'];
    if (typeof ref['$ref'] === 'string' && Object.keys(marker).length === 1 && Array.isArray(type) && type.includes('null')) {
      delete o['allOf'];
      o['anyOf'] = [ref, { type: 'null' }];
    }
  }
  for (const v of Object.values(o)) nullableReferences(v);
}

/**
 * Adds the statuses every Tierline service answers for reasons outside a route's own code, so the
 * document lists every status the server can send: 400 on every operation that takes parameters
 * or a body (validation and the NUL-character check), 429 on the rate-limited ones; and writes
 * nullable references the way JSON Schema 2020-12 does (nullableReferences).
 */
export function completeDocument<D extends { paths?: Record<string, unknown> }>(doc: D, limited: ReadonlySet<string> = new Set()): D {
  nullableReferences(doc);
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, OperationObject | undefined>)[method];
      if (!op) continue;
      const responses = (op.responses ??= {});
      if (((op.parameters?.length ?? 0) > 0 || op.requestBody) && !responses['400']) {
        Object.assign(responses, errorResponse(400, 'Invalid request; `details` names each field'));
      }
      if (limited.has(opKey(method, path)) && !responses['429']) {
        Object.assign(responses, errorResponse(429, 'Rate limited; `Retry-After` says when to try again'));
      }
    }
  }
  return doc;
}

interface DocumentingApp extends RoutingApp {
  getOpenAPI31Document(config: Parameters<OpenAPIHono['getOpenAPI31Document']>[0]): ReturnType<OpenAPIHono['getOpenAPI31Document']>;
  get(path: string, handler: (c: Context) => Response | Promise<Response>): unknown;
}

/**
 * Serves the app's OpenAPI 3.1 document at `path`, generated once from the routes' zod schemas
 * and completed by completeDocument.
 */
export function serveOpenApiDocument(app: DocumentingApp, path: string, config: Parameters<OpenAPIHono['getOpenAPI31Document']>[0]): void {
  let doc: unknown;
  app.get(path, (c) => {
    doc ??= completeDocument(app.getOpenAPI31Document(config), limitedOperations.get(app));
    return c.json(doc as object);
  });
}
