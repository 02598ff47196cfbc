import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Metrics } from './metrics.js';

/**
 * Consumer lag as Prometheus sees it: per durable consumer, the messages not yet delivered
 * (`num_pending`) and those delivered but not yet acknowledged (`num_ack_pending`), read from
 * JetStream when scraped. A consumer that cannot be read is left out of that scrape.
 */
export function consumerLagGauges(metrics: Metrics, nc: NatsConnection, consumers: { stream: string; durable: string }[]): void {
  const read = async () => {
    const jsm = await jetstreamManager(nc);
    return Promise.all(consumers.map(async (c) => ({ ...c, info: await jsm.consumers.info(c.stream, c.durable).catch(() => null) })));
  };
  metrics.gauge('tierline_consumer_pending_messages', 'Messages of the stream not yet delivered to the durable consumer', ['stream', 'consumer'] as const, async (g) => {
    g.reset();
    for (const c of await read()) if (c.info) g.set({ stream: c.stream, consumer: c.durable }, c.info.num_pending);
  });
  metrics.gauge('tierline_consumer_unacked_messages', 'Messages delivered to the durable consumer and not yet acknowledged', ['stream', 'consumer'] as const, async (g) => {
    g.reset();
    for (const c of await read()) if (c.info) g.set({ stream: c.stream, consumer: c.durable }, c.info.num_ack_pending);
  });
}
