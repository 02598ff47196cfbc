import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { EVENTS_STREAM, subjectForEvent } from '@tierline/contracts';
import type { NatsConnection } from '@tierline/platform';
import { eventually, natsWithStreams } from '@tierline/test-fixtures';
import { verifyDatabase } from './repo.js';
import { keyRing } from './signing.js';
import { sampleEvent } from './test/fixtures.js';
import { auditTest, consumeEvents, type AuditHarness } from './test/harness.js';

let durable = '';

// `stream`: NATS with the service's consumer reading the events stream on a durable of the
// file's own, stopped and deleted after the file.
const test = auditTest('auditconsumer')
  .extend('nats', { scope: 'file' }, natsWithStreams('audit-consumer-test'))
  .extend('stream', { scope: 'file' }, async ({ audit, nats }, hooks) => {
    durable = await consumeEvents({ nc: nats.nc, sql: audit.sql, logger: audit.logger, name: 'test-audit' }, hooks);
    return nats;
  });

describe('audit consumer on the real JetStream and PostgreSQL', () => {
  let h: AuditHarness;
  let nc: NatsConnection;
  let js: JetStreamClient;

  test.beforeAll(({ audit, stream }) => {
    h = audit;
    ({ nc, js } = stream);
  });

  it('records an event delivered twice exactly once, and acknowledges both deliveries', async () => {
    const event = sampleEvent(1, { id: randomUUID() });
    // Two publishes without a shared Nats-Msg-Id: the stream keeps both, as after a publisher
    // retry outside the duplicate window, so the consumer really sees the event twice.
    const first = await js.publish(subjectForEvent(event.type), JSON.stringify(event));
    const second = await js.publish(subjectForEvent(event.type), JSON.stringify(event), { msgID: `again-${event.id}` });
    expect(second.seq).toBeGreaterThan(first.seq);

    const jsm = await jetstreamManager(nc);
    await eventually('both deliveries acknowledged', async () => {
      const info = await jsm.consumers.info(EVENTS_STREAM, durable);
      return info.ack_floor.stream_seq >= second.seq && info.num_ack_pending === 0 ? info : undefined;
    }, 15_000);
    const rows = await h.sql<{ seq: string }[]>`select seq from audit_log where event_id = ${event.id}`;
    expect(rows, JSON.stringify(rows)).toHaveLength(1);

    // And the consumer keeps going: the next event is recorded too.
    const next = sampleEvent(2, { id: randomUUID() });
    await js.publish(subjectForEvent(next.type), JSON.stringify(next), { msgID: next.id });
    await eventually('the next event recorded', async () => {
      const [r] = await h.sql`select 1 from audit_log where event_id = ${next.id}`;
      return r;
    }, 15_000);
    expect(await verifyDatabase(h.sql, { publicKeys: keyRing([h.signer.publicKey]) })).toMatchObject({ ok: true });
  });
});
