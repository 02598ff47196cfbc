/**
 * The notification events consumer against the real NATS JetStream (the shared events stream,
 * a durable of this file's own) and PostgreSQL (a database of this file's own).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM, type EventEnvelope } from '@tierline/contracts';
import { connectNats, createLogger, createSql, ensureStreams, migrate, publishEvent, type NatsConnection, type Sql } from '@tierline/platform';
import { createTestDatabase, testEnv } from '@tierline/testing';
import { recordNotificationEvent, startNotificationTimeline } from './notification-timeline.js';
import { TICKET_MIGRATIONS_DIR } from '@tierline/ticket-store';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: Sql;
let nc: NatsConnection;
let consumer: { stop: () => Promise<void> };
const durable = `ticket-nt-timeline-test-${randomUUID().slice(0, 8)}`;
const ticketId = randomUUID();

interface Entry {
  event_id: string;
  type: string;
  data: Record<string, unknown>;
}
const entries = () => sql<Entry[]>`select event_id, type, data from ticket_timeline where ticket_id = ${ticketId} order by occurred_at, event_id`;

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; timeline: ${JSON.stringify(await entries())}`);
}

const SYSTEM = { kind: 'system' as const, id: 'notification' };
const event = (type: string, data: Record<string, unknown>, ticket: string = ticketId): EventEnvelope => ({
  id: randomUUID(),
  type,
  occurredAt: new Date().toISOString(),
  actor: SYSTEM,
  ticketId: ticket,
  data,
  schemaVersion: 1,
});
const sent = (channel: string, extra: Record<string, unknown> = {}) =>
  event('notification.sent', {
    deliveryId: randomUUID(),
    idempotencyKey: 'wf:level-1',
    kind: 'page',
    template: 'escalation',
    channel,
    recipientId: 'kc-lee',
    recipientUsername: 'lee.lead',
    attempts: 1,
    providerMessageId: 'SM123',
    bundleId: null,
    ...extra,
  });

beforeAll(async () => {
  db = await createTestDatabase('nttimeline');
  sql = createSql(db.url, 'ticket', 3);
  await migrate(sql, { schema: 'ticket', dir: fileURLToPath(TICKET_MIGRATIONS_DIR) });
  await sql`
    insert into tickets (id, number, title, category, site_id, requester_id, impact, urgency, priority, status, tier, workflow_id)
    values (${ticketId}, 'IT-9001', 'Printer down', 'printer_scanner', 'north', 'kc-nora', 'one_user', 'high', 'P2', 'open', 2, ${`ticket-${ticketId}`})`;
  nc = await connectNats(testEnv().natsUrl, 'ticket-nt-timeline-test');
  await ensureStreams(nc);
  consumer = await startNotificationTimeline({ nc, sql, logger: createLogger('nt-timeline', process.env.LOG_LEVEL ?? 'silent'), durable, deliverNew: true, backoffMs: [200, 400] });
});

afterAll(async () => {
  await consumer?.stop();
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.delete(EVENTS_STREAM, durable).catch(() => undefined);
  await nc?.drain();
  await sql?.end();
  await db?.drop();
});

describe('notification events on the ticket timeline', () => {
  it('collapse the pages sent to one person for one command into one entry listing the channels, even when repeated', async () => {
    const js = jetstream(nc);
    const email = sent('email');
    await publishEvent(js, email);
    await publishEvent(js, sent('sms'));
    // The same event again, past the stream's dedupe window (another message id): nothing new.
    await js.publish('tierline.events.notification.sent', JSON.stringify(email), { msgID: `${email.id}-again` });
    await publishEvent(js, sent('sms'));
    const [entry] = await eventually('one entry with both channels', async () => {
      const e = await entries();
      return e.length === 1 && (e[0]!.data['channels'] as string[]).length === 2 ? e : undefined;
    });
    expect(entry!.type).toBe('notification.sent');
    expect(entry!.data).toEqual({ kind: 'page', template: 'escalation', recipientId: 'kc-lee', recipientUsername: 'lee.lead', channels: ['email', 'sms'] });
    await new Promise((r) => setTimeout(r, 500));
    expect(await entries(), 'the repeats added nothing').toHaveLength(1);
  });

  it('record a status update sent to the requester as one entry of kind update', async () => {
    const js = jetstream(nc);
    const key = `update:${randomUUID()}`;
    const update = (channel: string) => sent(channel, { kind: 'update', template: 'ticket_update', idempotencyKey: key, recipientId: 'kc-nora', recipientUsername: 'nora.nurse' });
    await publishEvent(js, update('email'));
    await publishEvent(js, update('sms'));
    const entry = await eventually('the update entry', async () => {
      const e = (await entries()).find((x) => x.data['kind'] === 'update');
      return e && (e.data['channels'] as string[]).length === 2 ? e : undefined;
    });
    expect(entry.data).toEqual({ kind: 'update', template: 'ticket_update', recipientId: 'kc-nora', recipientUsername: 'nora.nurse', channels: ['email', 'sms'] });
  });

  it('record a failed delivery with the lead it alerted, and the alert, without the provider error', async () => {
    const js = jetstream(nc);
    const failed = event('notification.delivery_failed', {
      deliveryId: randomUUID(),
      idempotencyKey: 'wf:level-2',
      kind: 'page',
      template: 'escalation',
      channel: 'slack',
      recipientId: 'kc-alex',
      recipientUsername: 'alex.agent',
      attempts: 4,
      error: 'channel_not_found for +15550100002',
      alertedVia: { userId: 'kc-lee', channel: 'email' },
    });
    const alert = sent('email', { kind: 'alert', template: 'delivery_failed_alert', idempotencyKey: `alert:${String(failed.data['deliveryId'])}` });
    await publishEvent(js, failed);
    await publishEvent(js, alert);
    await publishEvent(js, failed);
    const got = await eventually('the failure and the alert', async () => {
      const e = (await entries()).filter((x) => x.event_id === failed.id || x.event_id === alert.id);
      return e.length === 2 ? e : undefined;
    });
    const f = got.find((x) => x.event_id === failed.id)!;
    expect(f.type).toBe('notification.delivery_failed');
    expect(f.data).toEqual({
      deliveryId: failed.data['deliveryId'],
      kind: 'page',
      template: 'escalation',
      channel: 'slack',
      recipientId: 'kc-alex',
      recipientUsername: 'alex.agent',
      attempts: 4,
      alertedVia: { userId: 'kc-lee', channel: 'email' },
    });
    expect(JSON.stringify(got), 'provider error text stays out of the timeline').not.toContain('+1555');
    expect(got.find((x) => x.event_id === alert.id)!.data).toMatchObject({ kind: 'alert', channel: 'email', recipientUsername: 'lee.lead' });
  });

  it('record a target that named nobody and a dead-lettered command', async () => {
    const js = jetstream(nc);
    const unresolved = event('notification.delivery_failed', { kind: 'page', template: 'escalation', idempotencyKey: 'wf:level-3', target: 'team ghosts', reason: 'team ghosts does not exist' });
    const dead = event('notification.delivery_failed', { reason: 'identity directory: HTTP 503', deadLetterStream: 'TIERLINE_DEAD_LETTERS', commandSeq: 7 });
    await publishEvent(js, unresolved);
    await publishEvent(js, dead);
    const got = await eventually('both entries', async () => {
      const e = (await entries()).filter((x) => x.event_id === unresolved.id || x.event_id === dead.id);
      return e.length === 2 ? e : undefined;
    });
    expect(got.find((x) => x.event_id === unresolved.id)!.data).toEqual({ kind: 'page', template: 'escalation', target: 'team ghosts', reason: 'team ghosts does not exist' });
    expect(got.find((x) => x.event_id === dead.id)!.data).toEqual({ deadLettered: true });
  });

  it('skip events of tickets it does not have and messages that are no events, and keep consuming', async () => {
    const js = jetstream(nc);
    const other = event('notification.delivery_failed', { kind: 'page', channel: 'sms', recipientId: 'x', attempts: 4 }, randomUUID());
    await publishEvent(js, other);
    await js.publish('tierline.events.notification.sent', 'not json at all', { msgID: randomUUID() });
    const after = event('notification.delivery_failed', { kind: 'alert', channel: 'sms', recipientId: 'kc-lee', recipientUsername: 'lee.lead', attempts: 1 });
    await publishEvent(js, after);
    await eventually('the entry after the skipped ones', async () => ((await entries()).some((x) => x.event_id === after.id) ? true : undefined));
    expect((await sql`select 1 from ticket_timeline where event_id = ${other.id}`).length).toBe(0);
    expect(await recordNotificationEvent(sql, other)).toBe('not_ours');
    expect(await recordNotificationEvent(sql, after)).toBe('unchanged');
    expect(await recordNotificationEvent(sql, event('notification.queued', { kind: 'page' }))).toBe('not_for_timeline');
  });
});
