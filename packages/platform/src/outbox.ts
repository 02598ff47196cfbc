import type { EventEnvelope } from '@tierline/contracts';
import type { Sql, TransactionSql } from 'postgres';
import type { Logger } from './logger.js';
import { publishEvent, type JetStreamClient } from './nats.js';

/**
 * A transactional outbox of events (docs/decisions/0026). Its table, in the service's schema:
 *
 *   create table <name> (event_id uuid primary key, event jsonb not null,
 *     created_at timestamptz not null default now(), published_at timestamptz);
 *
 * `add` writes the event in the transaction that makes the change, so a change is never
 * committed without its event; `publish` sends it right after the commit; whatever NATS did not
 * take (it was down, the process died) stays unpublished and goes out with the next `flush`.
 * JetStream dedupes on the event id, so an event published twice is stored once.
 */
export interface EventOutbox {
  readonly table: string;
  /** Writes the event inside the caller's transaction. */
  add(tx: Sql | TransactionSql, event: EventEnvelope): Promise<void>;
  /**
   * Publishes one event already in the outbox and marks it sent. False (and the event stays for
   * `flush`) when NATS did not take it, or when there is no JetStream client to publish with.
   */
  publish(sql: Sql, js: JetStreamClient | undefined, event: EventEnvelope, logger?: Logger): Promise<boolean>;
  /** Publishes every event not yet sent, oldest first; stops at the first failure. Returns how many went out. */
  flush(sql: Sql, js: JetStreamClient, logger?: Logger, batch?: number): Promise<number>;
  /** Flushes now, then every `everyMs` until stopped; a failed flush is logged and retried at the next tick. */
  startFlushing(opts: { sql: Sql; js: JetStreamClient; logger: Logger; everyMs?: number }): Promise<{ stop: () => Promise<void> }>;
}

const TABLE_NAME = /^[a-z_][a-z0-9_]*$/;

export function eventOutbox(table: string): EventOutbox {
  // The name goes into SQL as an identifier (quoted by postgres.js); a plain name is all it takes.
  if (!TABLE_NAME.test(table)) throw new Error(`outbox table "${table}" must be a plain lower-case SQL name`);
  const outbox: EventOutbox = {
    table,
    async add(tx, event) {
      const q = tx as Sql;
      await q`insert into ${q(table)} (event_id, event) values (${event.id}, ${q.json(event as Parameters<Sql['json']>[0])})`;
    },
    async publish(sql, js, event, logger) {
      if (!js) return false;
      try {
        await publishEvent(js, event);
        await sql`update ${sql(table)} set published_at = now() where event_id = ${event.id}`;
        return true;
      } catch (err) {
        logger?.warn({ err, eventId: event.id, type: event.type, outbox: table }, 'event not published yet; left in the outbox');
        return false;
      }
    },
    async flush(sql, js, logger, batch = 100) {
      let sent = 0;
      for (;;) {
        const rows = await sql<{ event: EventEnvelope }[]>`
          select event from ${sql(table)} where published_at is null order by created_at, event_id limit ${batch}`;
        for (const r of rows) {
          if (!(await outbox.publish(sql, js, r.event, logger))) return sent;
          sent++;
        }
        if (rows.length < batch) return sent;
      }
    },
    async startFlushing({ sql, js, logger, everyMs = 30_000 }) {
      const flush = () => outbox.flush(sql, js, logger).catch((err: unknown) => logger.warn({ err, outbox: table }, 'outbox flush failed'));
      let running: Promise<unknown> = flush();
      await running;
      const timer = setInterval(() => {
        running = flush();
      }, everyMs);
      return {
        async stop() {
          clearInterval(timer);
          await running;
        },
      };
    },
  };
  return outbox;
}
