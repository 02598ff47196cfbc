/**
 * Reads what each store of the chaos system holds, in the shape the checker takes: PostgreSQL
 * (tickets, notification commands and deliveries, audit rows), Temporal (each ticket workflow's
 * status and escalation state), JetStream (every message of the events stream, with the time the
 * server stored it), the audit service's verify endpoint, Mailpit's API and the SMS stand-in's log.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Client } from '@temporalio/client';
import { EVENTS_STREAM } from '@tierline/contracts';
import type { NatsConnection, Sql } from '@tierline/platform';
import { getStateQuery } from '@tierline/ticket-workflow';
import type { Observed } from './checker.js';

export type Collected = Omit<Observed, 'checkedAt' | 'levels' | 'outages' | 'opened'>;

export async function collectTickets(sql: Sql) {
  const rows = await sql<{ id: string; idempotency_key: string | null; created_at: Date; escalation_level: number; status: string; priority: string; incident_parent_id: string | null }[]>`
    select id, idempotency_key, created_at, escalation_level, status, priority, incident_parent_id from ticket.tickets order by created_at`;
  return rows.map((r) => ({
    id: r.id,
    idempotencyKey: r.idempotency_key,
    createdAt: r.created_at.getTime(),
    escalationLevel: r.escalation_level,
    status: r.status,
    priority: r.priority,
    incidentParentId: r.incident_parent_id,
  }));
}

export async function collectTimeline(sql: Sql): Promise<string[]> {
  return (await sql<{ event_id: string }[]>`select event_id from ticket.ticket_timeline`).map((r) => r.event_id);
}

/** Status and escalations of each ticket's workflow; a workflow that is gone or does not answer has none. */
export async function collectWorkflows(temporal: Client, ticketIds: string[]): Promise<Observed['workflows']> {
  const out: Observed['workflows'] = [];
  for (const ticketId of ticketIds) {
    const handle = temporal.workflow.getHandle(`ticket-${ticketId}`);
    let status = 'NOT_FOUND';
    let escalations: Observed['workflows'][number]['escalations'] = [];
    let incidentParentId: string | null = null;
    try {
      status = (await handle.describe()).status.name;
      const state = await handle.query(getStateQuery);
      escalations = state.escalations.map((e) => ({ level: e.level, repeat: e.repeat, idempotencyKey: e.idempotencyKey }));
      incidentParentId = state.incident?.role === 'child' ? state.incident.parentTicketId : null;
    } catch (err) {
      if (status === 'NOT_FOUND') {
        out.push({ ticketId, status, escalations });
        continue;
      }
      status = `${status} (query failed: ${(err as Error).message})`;
    }
    out.push({ ticketId, status, escalations, incidentParentId });
  }
  return out;
}

/** Every message of the events stream, read with an ordered consumer from the first sequence. */
export async function collectStream(nc: NatsConnection): Promise<Observed['streamEvents']> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(EVENTS_STREAM);
  const last = info.state.last_seq;
  const out: Observed['streamEvents'] = [];
  if (info.state.messages === 0) return out;
  const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM);
  const messages = await consumer.consume();
  for await (const m of messages) {
    const e = m.json<{ id: string; type: string; ticketId?: string; actor?: { kind: string; id: string }; data?: { level?: unknown; repeat?: unknown; visibility?: unknown } }>();
    out.push({
      id: e.id,
      type: e.type,
      ticketId: e.ticketId ?? null,
      level: typeof e.data?.level === 'number' ? e.data.level : null,
      repeat: typeof e.data?.repeat === 'number' ? e.data.repeat : null,
      storedAt: Math.floor(m.info.timestampNanos / 1e6),
      visibility: typeof e.data?.visibility === 'string' ? e.data.visibility : null,
      actorId: e.actor?.kind === 'user' ? e.actor.id : null,
    });
    if (m.seq >= last) break;
  }
  await messages.close();
  return out;
}

export async function collectNotifications(sql: Sql) {
  const commands = (await sql<{ idempotency_key: string }[]>`select idempotency_key from notification.commands`).map((r) => r.idempotency_key);
  const deliveries = (
    await sql<{ idempotency_key: string; recipient_id: string; channel: string; status: string; kind: string; bundle_id: string | null; sent_at: Date | null }[]>`
      select idempotency_key, recipient_id, channel, status, kind, bundle_id, sent_at from notification.deliveries`
  ).map((d) => ({
    idempotencyKey: d.idempotency_key,
    recipientId: d.recipient_id,
    channel: d.channel,
    status: d.status,
    kind: d.kind,
    bundleId: d.bundle_id,
    sentAt: d.sent_at ? d.sent_at.getTime() : null,
  }));
  return { commands, deliveries };
}

export async function collectAudit(sql: Sql, auditUrl: string, token: string): Promise<Observed['audit']> {
  const eventIds = (await sql<{ event_id: string }[]>`select event_id from audit.audit_log order by seq`).map((r) => r.event_id);
  const res = await fetch(`${auditUrl}/api/v1/audit/verify`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
  if (res.status !== 200) throw new Error(`audit verify answered ${res.status}: ${await res.text()}`);
  const verify = (await res.json()) as { ok: boolean; rowsChecked: number; reason?: string };
  return { eventIds, verify: { ok: verify.ok, rowsChecked: verify.rowsChecked, ...(verify.reason ? { reason: verify.reason } : {}) } };
}

/** The Message-ID of every mail in Mailpit, paged through its API. */
export async function collectMails(mailpitUrl: string): Promise<string[]> {
  const out: string[] = [];
  for (let start = 0; ; start += 500) {
    const res = await fetch(`${mailpitUrl}/api/v1/messages?start=${start}&limit=500`);
    if (!res.ok) throw new Error(`Mailpit answered ${res.status}`);
    const page = (await res.json()) as { total: number; messages: { MessageID: string }[] };
    out.push(...page.messages.map((m) => m.MessageID));
    if (page.messages.length === 0 || out.length >= page.total) return out;
  }
}

/** The Twilio idempotency token of every SMS the stand-in accepted (it records each token once). */
export async function collectSms(stubsUrl: string): Promise<(string | null)[]> {
  const res = await fetch(`${stubsUrl}/_stub/requests?provider=twilio`);
  if (!res.ok) throw new Error(`the provider stand-ins answered ${res.status}`);
  return ((await res.json()) as { requests: { idempotencyKey: string | null }[] }).requests.map((r) => r.idempotencyKey);
}

/** The notification service's update bursts and which event joined which (decision 34). */
export async function collectUpdateBursts(sql: Sql): Promise<Pick<Observed['updates'], 'bursts' | 'changes'>> {
  const bursts = (await sql<{ id: string; ticket_id: string; recipient_id: string; state: string }[]>`
    select id, ticket_id, recipient_id, state from notification.update_bursts`).map((b) => ({ id: b.id, ticketId: b.ticket_id, recipientId: b.recipient_id, state: b.state }));
  const changes = (await sql<{ event_id: string; recipient_id: string; burst_id: string }[]>`
    select event_id, recipient_id, burst_id from notification.update_changes`).map((c) => ({ eventId: c.event_id, recipientId: c.recipient_id, burstId: c.burst_id }));
  return { bursts, changes };
}

/** Subject and text of every mail Mailpit holds for `address`, and every SMS the stand-in took for `mobile`. */
export async function collectMessagesTo(mailpitUrl: string, stubsUrl: string, address: string, mobile: string): Promise<Observed['updates']['messages']> {
  const out: Observed['updates']['messages'] = [];
  const res = await fetch(`${mailpitUrl}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=1000`);
  if (!res.ok) throw new Error(`Mailpit's search answered ${res.status}`);
  for (const m of ((await res.json()) as { messages: { ID: string }[] }).messages) {
    const r = await fetch(`${mailpitUrl}/api/v1/message/${m.ID}`);
    if (!r.ok) throw new Error(`Mailpit answered ${r.status} for message ${m.ID}`);
    const msg = (await r.json()) as { Subject: string; Text: string; HTML: string };
    out.push({ channel: 'email', text: `${msg.Subject}\n${msg.Text}\n${msg.HTML}` });
  }
  const sms = await fetch(`${stubsUrl}/_stub/requests?provider=twilio`);
  if (!sms.ok) throw new Error(`the provider stand-ins answered ${sms.status}`);
  for (const r of ((await sms.json()) as { requests: { body: Record<string, string | undefined> }[] }).requests) {
    if (r.body['To'] === mobile) out.push({ channel: 'sms', text: r.body['Body'] ?? '' });
  }
  return out;
}
