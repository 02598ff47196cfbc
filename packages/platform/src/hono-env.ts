import type { Actor } from './auth.js';
// Types `c.get('requestId')` on every context (Hono's ContextVariableMap), including the shared
// middleware and error handlers that know nothing of a service's own environment.
import type {} from 'hono/request-id';

/**
 * What every request of a Tierline service carries on its Hono context, typed once here:
 * `requestId` (set first, by createServiceApp's request-id middleware) and `actor` (set by
 * requireAuth on the routes behind it; a public route must not read it).
 */
export interface RequestVariables {
  requestId: string;
  actor: Actor;
}

/** The Hono environment every service app extends: its handlers read typed variables. */
export interface BaseEnv {
  Variables: RequestVariables;
}

/**
 * A service's Hono environment: the request variables plus its own dependencies as `deps`,
 * handed in once by its app factory so tests can pass their own (`TicketAppEnv = AppEnv<TicketDeps>`).
 */
export interface AppEnv<Deps> extends BaseEnv {
  Variables: RequestVariables & { deps: Deps };
}
