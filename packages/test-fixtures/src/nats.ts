import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connectNats, ensureStreams, type NatsConnection } from '@tierline/platform';
import { testEnv } from '@tierline/testing';
import type { FixtureHooks } from './hooks.js';

export interface NatsStreams {
  nc: NatsConnection;
  js: JetStreamClient;
}

/**
 * A fixture function: the real NATS, logged in as the tests' user, with Tierline's streams
 * declared as every service declares them at start-up; drained after.
 */
export function natsWithStreams(name: string) {
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; none here
  return async ({}: object, { onCleanup }: FixtureHooks): Promise<NatsStreams> => {
    const nc = await connectNats(testEnv().natsUrl, name);
    onCleanup(() => nc.drain());
    await ensureStreams(nc);
    return { nc, js: jetstream(nc) };
  };
}
