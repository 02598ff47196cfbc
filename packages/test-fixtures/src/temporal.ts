import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import { testEnv } from '@tierline/testing';
import type { FixtureHooks } from './hooks.js';

/**
 * A fixture function: a client of the real Temporal in the tests' namespace; closed after.
 * `interceptors` as the service's own client has them (e.g. its tracing interceptors).
 */
export function temporalClient(opts: { interceptors?: ClientInterceptors } = {}) {
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; none here
  return async ({}: object, { onCleanup }: FixtureHooks): Promise<Client> => {
    const env = testEnv();
    const connection = await Connection.connect({ address: env.temporalAddress });
    onCleanup(() => connection.close());
    return new Client({ connection, namespace: env.temporalNamespace, ...(opts.interceptors ? { interceptors: opts.interceptors } : {}) });
  };
}
