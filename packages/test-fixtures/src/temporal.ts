import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import { testEnv } from '@tierline/testing';
import type { FixtureHooks } from './hooks.js';

/**
 * A fixture function: a client of the real Temporal in the tests' namespace; closed after.
 * `interceptors` gives the service's own client interceptors (e.g. its tracing ones) when the
 * fixture starts, after what the file did first (e.g. turn tracing on).
 */
export function temporalClient(opts: { interceptors?: () => ClientInterceptors | undefined } = {}) {
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; none here
  return async ({}: object, { onCleanup }: FixtureHooks): Promise<Client> => {
    const env = testEnv();
    const connection = await Connection.connect({ address: env.temporalAddress });
    onCleanup(() => connection.close());
    const interceptors = opts.interceptors?.();
    return new Client({ connection, namespace: env.temporalNamespace, ...(interceptors ? { interceptors } : {}) });
  };
}
