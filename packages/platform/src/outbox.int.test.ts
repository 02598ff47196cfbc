/** The event outbox against the real PostgreSQL and NATS JetStream. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliverPolicy, jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { EVENT_SCHEMA_VERSION, EVENTS_STREAM, type EventEnvelope } from '@tierline/contracts';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { createSql, type Sql } from './db.js';
import { createLogger } from './logger.js';
import { connectNats, ensureStreams, type NatsConnection } from './nats.js';
import { eventOutbox } from './outbox.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: Sql;
let nc: NatsConnection;
let js: JetStreamClient;
const outbox = eventOutbox('thing_outbox');
const logger = createLogger('outbox-test', 'silent');

beforeAll(async () => {
  db = await createTestDatabase('outbox');
  sql = createSql(db.url, 'svc', 4);
  await sql`create schema svc`;
  await sql`create table thing_outbox (event_id uuid primary key, event jsonb not null,
    created_at timestamptz not null default now(), published_at timestamptz)`;
  nc = await connectNats(testEnv().natsUrl, 'it-outbox');
  await ensureStreams(nc);
  js = jetstream(nc);
});

afterAll(async () => {
  await nc?.drain();
  await sql?.end();
  await db?.drop();
});

const event = (): EventEnvelope => ({
  id: randomUUID(),
  type: 'policy.draft_saved',
  occurredAt: new Date().toISOString(),
  actor: { kind: 'system', id: 'outbox-test' },
  data: {},
  schemaVersion: EVENT_SCHEMA_VERSION,
});

const unpublished = async () => (await sql<{ id: string }[]>`select event_id as id from thing_outbox where published_at is null order by created_at, event_id`).map((r) => r.id);

/** Every event with one of `ids` that reaches the events stream within `ms`. */
async function delivered(ids: string[], ms = 10_000): Promise<EventEnvelope[]> {
  const consumer = await js.consumers.get(EVENTS_STREAM, { filter_subjects: ['tierline.events.policy.>'], deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume();
  const seen: EventEnvelope[] = [];
  const reading = (async () => {
    for await (const m of messages) {
      const e = m.json<EventEnvelope>();
      if (ids.includes(e.id)) seen.push(e);
    }
  })();
  const end = Date.now() + ms;
  while (Date.now() < end && !ids.every((id) => seen.some((s) => s.id === id))) await new Promise((r) => setTimeout(r, 100));
  // A little longer, so a second copy of an event would be seen too.
  await new Promise((r) => setTimeout(r, 300));
  void messages.close();
  await reading;
  return seen;
}

describe('event outbox (real PostgreSQL and NATS)', () => {
  it('refuses a table name that is not a plain SQL name', () => {
    expect(() => eventOutbox('x; drop table y')).toThrow(/plain lower-case SQL name/);
    expect(() => eventOutbox('Things')).toThrow(/plain lower-case SQL name/);
  });

  it('writes the event with the change, and nothing when the change rolls back', async () => {
    const kept = event();
    const dropped = event();
    await sql.begin((tx) => outbox.add(tx, kept));
    await expect(
      sql.begin(async (tx) => {
        await outbox.add(tx, dropped);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const ids = await unpublished();
    expect(ids, 'the committed event is in the outbox').toContain(kept.id);
    expect(ids, 'the rolled-back event is not').not.toContain(dropped.id);
  });

  it('leaves an event in the outbox when there is no JetStream or NATS does not take it', async () => {
    const e = event();
    await sql.begin((tx) => outbox.add(tx, e));
    expect(await outbox.publish(sql, undefined, e, logger)).toBe(false);
    const closed = await connectNats(testEnv().natsUrl, 'it-outbox-closed');
    await closed.close();
    expect(await outbox.publish(sql, jetstream(closed), e, logger)).toBe(false);
    expect(await unpublished()).toContain(e.id);
  });

  it('publishes right after commit, and marks the event sent', async () => {
    const e = event();
    await sql.begin((tx) => outbox.add(tx, e));
    expect(await outbox.publish(sql, js, e, logger)).toBe(true);
    expect(await unpublished()).not.toContain(e.id);
    expect((await delivered([e.id])).map((s) => s.id)).toEqual([e.id]);
  });

  it('flushes whatever is left, oldest first, in batches, and each event reaches the stream once', async () => {
    const more = [event(), event(), event()];
    for (const e of more) await sql.begin((tx) => outbox.add(tx, e));
    const pending = await unpublished();
    expect(pending.length).toBeGreaterThanOrEqual(5);
    expect(await outbox.flush(sql, js, logger, 2)).toBe(pending.length);
    expect(await outbox.flush(sql, js, logger)).toBe(0);
    const seen = await delivered(pending);
    expect(seen.map((s) => s.id).sort(), 'each pending event once').toEqual([...pending].sort());
    // A second publish of a sent event (a crash between publish and mark) is stored once.
    const again = more[0]!;
    expect(await outbox.publish(sql, js, again, logger)).toBe(true);
    expect((await delivered([again.id])).length, 'a re-published event is deduplicated by its id').toBe(1);
  });

  it('flushes at start and then on every tick until stopped', async () => {
    const first = event();
    await sql.begin((tx) => outbox.add(tx, first));
    const flushing = await outbox.startFlushing({ sql, js, logger, everyMs: 200 });
    try {
      expect(await unpublished(), 'flushed before startFlushing resolves').not.toContain(first.id);
      const later = event();
      await sql.begin((tx) => outbox.add(tx, later));
      const end = Date.now() + 5_000;
      while (Date.now() < end && (await unpublished()).includes(later.id)) await new Promise((r) => setTimeout(r, 50));
      expect(await unpublished(), 'flushed by a tick').not.toContain(later.id);
    } finally {
      await flushing.stop();
    }
    const afterStop = event();
    await sql.begin((tx) => outbox.add(tx, afterStop));
    await new Promise((r) => setTimeout(r, 500));
    expect(await unpublished(), 'nothing flushed once stopped').toContain(afterStop.id);
  });
});
