import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import { EVENTS_STREAM, type EventEnvelope } from '@tierline/contracts';
import type { FixtureHooks } from './hooks.js';

export interface CollectedEvents {
  /** Every event published on the subjects since the fixture started, in arrival order. */
  received: EventEnvelope[];
}

/**
 * A fixture body: an ordered consumer of the events stream, new events on `subjects` only,
 * started before the test publishes anything and closed after. Other files' events on the same
 * subjects arrive too; a test tells its own apart (e.g. by its outbox's event ids).
 */
export async function collectEvents(js: JetStreamClient, subjects: string[], { onCleanup }: FixtureHooks): Promise<CollectedEvents> {
  const consumer = await js.consumers.get(EVENTS_STREAM, { filter_subjects: subjects, deliver_policy: DeliverPolicy.New });
  const messages = await consumer.consume();
  onCleanup(async () => void (await messages.close()));
  const received: EventEnvelope[] = [];
  void (async () => {
    for await (const m of messages) received.push(m.json<EventEnvelope>());
  })();
  return { received };
}
