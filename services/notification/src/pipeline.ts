import { createHash, randomUUID } from 'node:crypto';
import type { EventEnvelope, NotificationChannel, NotifyCommand } from '@tierline/contracts';
import { SpanKind, publishEvent, withSpan, type JetStreamClient, type Logger, type Metrics, type Sql } from '@tierline/platform';
import { addressOf, type Senders } from './channels.js';
import { quietUntil } from './quiet-hours.js';
import { describeTarget, type Recipient, type RecipientResolver } from './recipients.js';
import { pageView, type AlertView, type PageView } from './templates.js';
import type { RequesterLinkMinter } from './requester-links.js';
import { statusWords, UPDATE_KINDS, type UpdateChange, type UpdateKind, type UpdateView } from './update-templates.js';
import { vendorLinkRequest, type VendorLinkMinter } from './vendor-links.js';

export interface DeliveryRow {
  id: string;
  idempotency_key: string;
  recipient_id: string;
  channel: NotificationChannel;
  ticket_id: string | null;
  status: 'queued' | 'sent' | 'delivered' | 'failed';
  attempts: number;
  last_error: string | null;
  kind: 'page' | 'alert' | 'update';
  template: string | null;
  recipient: Recipient;
  scheduled_at: Date | null;
  claimed_until: Date | null;
  provider_message_id: string | null;
  bundle_id: string | null;
  sent_at: Date | null;
}

export interface PipelineOptions {
  sql: Sql;
  js: JetStreamClient;
  resolver: RecipientResolver;
  /** Vendors' signed acknowledge links (identity service). */
  mintVendorLink: VendorLinkMinter;
  /** The "Fixed" / "Not fixed" links of a resolved ticket's update (identity service). */
  mintRequesterLinks: RequesterLinkMinter;
  /**
   * The words of a public note (IT's question, a public reply, the resolution) for an email
   * update; null when the ticket service has no such public note. Unset: emails name the change only.
   */
  readPublicNote?: (ticketId: string, noteId: string) => Promise<string | null>;
  senders: Senders;
  logger: Logger;
  /** Counts deliveries by channel, kind and outcome when given. */
  metrics?: Metrics;
  portalUrl: string;
  /** Sends to one person on one channel within `rateWindowMs` before later ones are bundled. */
  rateLimit: number;
  rateWindowMs?: number;
  /** Lease a send holds on its row; longer than any provider call may take. */
  leaseMs: number;
  /** Attempts of a deferred (poller-owned) delivery before it is given up. */
  maxAttempts: number;
  /** Delay before the poller retries a deferred delivery, per attempt. */
  retryDelaysMs: number[];
}

/** The other channels to alert a lead on, in order of preference, after `failed` failed. */
const ALERT_ORDER: NotificationChannel[] = ['email', 'sms', 'slack', 'teams'];
const SYSTEM = { kind: 'system' as const, id: 'notification' };
/** The template name of status updates on delivery rows and events. */
export const UPDATE_TEMPLATE = 'ticket_update';

/**
 * The channels a page reaches for one person (docs/decisions/0034): every channel the policy
 * names (what a page must reach: a preference never removes one), then the channels the person
 * chose on their profile that the policy did not name, in their order.
 */
export function pageChannels(policy: NotificationChannel[], r: Pick<Recipient, 'preferredChannels'>): NotificationChannel[] {
  return [...policy, ...(r.preferredChannels ?? []).filter((c) => !policy.includes(c))];
}

/**
 * The channels an update reaches for one person: the ones they chose and can be reached on, in
 * their order; email when they chose none (or none they have an address for).
 */
export function updateChannels(r: Recipient): NotificationChannel[] {
  const chosen = (r.preferredChannels ?? []).filter((c) => addressOf(r, c) !== null);
  return chosen.length > 0 ? chosen : ['email'];
}

/** A name-based (v5-shaped) uuid, so a re-published event keeps its id and is stored once. */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export class DeliveryInProgress extends Error {
  override name = 'DeliveryInProgress';
}

/**
 * Exactly one message per (idempotency key, recipient, channel):
 * 1. the row is inserted `queued` under the unique key before anything is sent;
 * 2. a sender takes a lease on the row (`claimed_until`) and counts the attempt;
 * 3. the provider is called with an idempotency key derived from the row's key;
 * 4. the row becomes `sent` with the provider's message id.
 * A redelivered command skips settled rows. A crash between 3 and 4 leaves a `queued` row with
 * attempts > 0 whose lease expires; the resend tells the provider it may be a repeat
 * (Mailpit lookup by Message-ID, I-Twilio-Idempotency-Token, X-Idempotency-Key on the stand-ins).
 */
export function createPipeline(o: PipelineOptions) {
  const { sql, logger } = o;
  const windowMs = o.rateWindowMs ?? 60_000;
  const deliveries = o.metrics?.counter('tierline_notification_deliveries_total', 'Deliveries settled, by channel, kind (page, alert or status update) and outcome', [
    'channel',
    'kind',
    'outcome',
  ] as const);
  // Counted where a row's status changes, so a redelivered command that re-announces a settled
  // row does not count it twice.
  const count = (rows: DeliveryRow[]) => {
    for (const r of rows) deliveries?.inc({ channel: r.channel, kind: r.kind, outcome: r.status });
    return rows;
  };

  async function emit(type: 'notification.sent' | 'notification.delivered' | 'notification.delivery_failed', row: DeliveryRow, extra: Record<string, unknown> = {}) {
    const event: EventEnvelope = {
      id: stableUuid(`${row.id}:${type}`),
      type,
      occurredAt: new Date().toISOString(),
      actor: SYSTEM,
      ...(row.ticket_id ? { ticketId: row.ticket_id } : {}),
      // Who and how, never what: contacts and message text stay in this service.
      data: {
        deliveryId: row.id,
        idempotencyKey: row.idempotency_key,
        kind: row.kind,
        template: row.template,
        channel: row.channel,
        recipientId: row.recipient_id,
        recipientUsername: row.recipient.username,
        attempts: row.attempts,
        ...(type === 'notification.delivery_failed' ? { error: row.last_error } : { providerMessageId: row.provider_message_id, bundleId: row.bundle_id }),
        ...extra,
      },
      schemaVersion: 1,
    };
    await publishEvent(o.js, event);
  }

  /**
   * The page one recipient gets for one command. A vendor's carries their signed link, minted
   * here, just before rendering, on every send: the identity service returns the same link for
   * the same command and recipient, so a redelivery or a deferred send repeats it, and the link
   * itself (a bearer credential) is never stored in this service.
   */
  async function pageFor(cmd: NotifyCommand, r: Recipient): Promise<PageView> {
    if (!r.isVendor) return pageView(cmd, r, o.portalUrl);
    const link = await o.mintVendorLink(vendorLinkRequest(cmd, r));
    return pageView(cmd, r, o.portalUrl, link.url);
  }

  async function ensureRow(key: string, r: Recipient, channel: NotificationChannel, ticketId: string, kind: 'page' | 'alert', template: string): Promise<DeliveryRow> {
    await sql`
      insert into deliveries (id, idempotency_key, recipient_id, channel, ticket_id, status, kind, template, recipient)
      values (${randomUUID()}, ${key}, ${r.userId}, ${channel}, ${ticketId}, 'queued', ${kind}, ${template}, ${sql.json(r as never)})
      on conflict (idempotency_key, recipient_id, channel) do nothing`;
    const [row] = await sql<DeliveryRow[]>`select * from deliveries where idempotency_key = ${key} and recipient_id = ${r.userId} and channel = ${channel}`;
    return row!;
  }

  /** Takes the send lease on one row; null if it is settled, deferred or leased by someone else. */
  async function claim(id: string): Promise<DeliveryRow | null> {
    const [row] = await sql<DeliveryRow[]>`
      update deliveries set claimed_until = now() + ${`${o.leaseMs} milliseconds`}::interval, attempts = attempts + 1, updated_at = now()
      where id = ${id} and status = 'queued' and scheduled_at is null and (claimed_until is null or claimed_until < now())
      returning *`;
    return row ?? null;
  }

  async function markSent(ids: string[], providerMessageId: string, bundleId: string | null): Promise<DeliveryRow[]> {
    return count(
      await sql<DeliveryRow[]>`
        update deliveries set status = 'sent', provider_message_id = ${providerMessageId}, bundle_id = ${bundleId}, sent_at = now(),
          claimed_until = null, scheduled_at = null, last_error = null, updated_at = now()
        where id in ${sql(ids)} and status = 'queued' returning *`,
    );
  }

  async function markFailed(id: string, error: string): Promise<DeliveryRow> {
    const [row] = await sql<DeliveryRow[]>`
      update deliveries set status = 'failed', last_error = ${error}, claimed_until = null, scheduled_at = null, updated_at = now()
      where id = ${id} and status <> 'failed' returning *`;
    if (row) return count([row])[0]!;
    // Already failed (a second worker got there first): nothing changes, nothing is counted.
    const [already] = await sql<DeliveryRow[]>`select * from deliveries where id = ${id}`;
    return already!;
  }

  async function release(id: string, error: string, retryAt: Date | null = null) {
    await sql`update deliveries set claimed_until = null, last_error = ${error}, scheduled_at = ${retryAt}, updated_at = now() where id = ${id}`;
  }

  /** Whether a non-urgent page must wait (quiet hours, rate limit); when until. */
  async function deferral(cmd: NotifyCommand, row: DeliveryRow): Promise<{ until: Date; reason: string } | null> {
    // P1 means patient care has stopped: it wakes people and is never held back.
    if (cmd.priority === 'P1') return null;
    const q = row.recipient.quietHours ? quietUntil(row.recipient.quietHours, new Date()) : null;
    if (q) return { until: q, reason: 'quiet hours' };
    const [recent] = await sql<{ n: number; oldest: Date | null; waiting: number }[]>`
      select
        (select count(distinct coalesce(bundle_id, id))::int from deliveries
          where recipient_id = ${row.recipient_id} and channel = ${row.channel} and sent_at > now() - ${`${windowMs} milliseconds`}::interval) as n,
        (select min(sent_at) from deliveries
          where recipient_id = ${row.recipient_id} and channel = ${row.channel} and sent_at > now() - ${`${windowMs} milliseconds`}::interval) as oldest,
        (select count(*)::int from deliveries
          where recipient_id = ${row.recipient_id} and channel = ${row.channel} and status = 'queued' and scheduled_at is not null and kind = 'page') as waiting`;
    if (recent && (recent.n >= o.rateLimit || recent.waiting > 0)) {
      const until = recent.oldest ? new Date(recent.oldest.getTime() + windowMs) : new Date(Date.now() + windowMs);
      return { until, reason: 'rate limit: bundled' };
    }
    return null;
  }

  async function sendClaimed(rows: DeliveryRow[], pages: PageView[], alert?: AlertView, update?: UpdateView) {
    const first = rows[0]!;
    const ids = rows.map((r) => r.id).sort();
    const bundleId = rows.length > 1 ? stableUuid(`bundle:${ids.join(',')}`) : null;
    // The delivery span: channel, kind and outcome — never the recipient's address or the message.
    const { providerMessageId } = await withSpan(
      `deliver ${first.channel}`,
      { kind: SpanKind.CLIENT, attributes: { 'tierline.notification.channel': first.channel, 'tierline.notification.kind': first.kind, 'tierline.notification.deliveries': rows.length } },
      async (span) => {
        try {
          const sent = await o.senders[first.channel].send({
            channel: first.channel,
            recipient: first.recipient,
            pages,
            ...(alert ? { alert } : {}),
            ...(update ? { update } : {}),
            idempotencyKey: bundleId ? `bundle:${bundleId}` : `${first.idempotency_key}|${first.recipient_id}|${first.channel}`,
            mayHaveBeenSent: rows.some((r) => r.attempts > 1),
          });
          span.setAttribute('tierline.notification.outcome', 'sent');
          return sent;
        } catch (err) {
          span.setAttribute('tierline.notification.outcome', 'failed');
          throw err;
        }
      },
    );
    const sent = await markSent(ids, providerMessageId, bundleId);
    // Ids, channel and kind only: the recipient's address stays out of the log.
    logger.info({ deliveryIds: ids, channel: first.channel, kind: first.kind }, 'delivery sent');
    for (const r of sent) await emit('notification.sent', r);
    return sent;
  }

  /**
   * Who hears that a page failed: the leads of the teams the page was for (the ticket's team at
   * that step), when one of them can be reached on another channel; otherwise the IT leads.
   */
  async function leadsFor(failed: DeliveryRow, cmd: NotifyCommand): Promise<Recipient[]> {
    const reachable = (people: Recipient[]) => people.filter((l) => !l.isVendor && ALERT_ORDER.some((c) => c !== failed.channel && addressOf(l, c) !== null));
    const teamIds = cmd.targets.flatMap((t) => (t.kind === 'team' || t.kind === 'on_call' ? [t.teamId] : []));
    if (teamIds.length > 0 && o.resolver.teamLeads) {
      const teamLeads = reachable(await o.resolver.teamLeads(teamIds));
      if (teamLeads.length > 0) return teamLeads;
    }
    return reachable((await o.resolver.resolve([{ kind: 'it_lead' }], { ticketId: cmd.ticketId, siteId: cmd.siteId })).recipients);
  }

  /** Alerts the team lead (or an IT lead) on another channel that `failed` could not be delivered. Idempotent. */
  async function alertLead(failed: DeliveryRow, cmd: NotifyCommand): Promise<void> {
    const leads = await leadsFor(failed, cmd);
    let alertedVia: { userId: string; channel: NotificationChannel } | null = null;
    for (const lead of leads) {
      const channel = ALERT_ORDER.find((c) => c !== failed.channel && addressOf(lead, c) !== null);
      if (!channel) continue;
      const row = await ensureRow(`alert:${failed.id}`, lead, channel, cmd.ticketId, 'alert', 'delivery_failed_alert');
      alertedVia = { userId: lead.userId, channel };
      if (row.status !== 'queued') continue;
      const claimed = await claim(row.id);
      if (!claimed) continue;
      const page = pageView(cmd, lead, o.portalUrl);
      try {
        await sendClaimed([claimed], [page], { failedChannel: failed.channel, recipientName: failed.recipient.displayName, page });
      } catch (err) {
        // An alert about a failed page does not itself get alerted: that could loop. It is
        // failed loudly in the log and on the timeline instead.
        const bad = await markFailed(claimed.id, (err as Error).message);
        logger.error({ err, deliveryId: bad.id }, 'alert to IT lead failed');
        await emit('notification.delivery_failed', bad);
      }
    }
    if (!alertedVia) logger.error({ deliveryId: failed.id }, 'a delivery failed and no IT lead could be alerted on another channel');
    await emit('notification.delivery_failed', failed, { alertedVia });
  }

  /** A target that names nobody: loud in the log and on the ticket's timeline, without its contents. */
  async function announceUnresolved(cmd: NotifyCommand, target: string, reason: string) {
    logger.error({ idempotencyKey: cmd.idempotencyKey, target, reason }, 'an escalation target names nobody; it is not paged');
    await publishEvent(o.js, {
      id: stableUuid(`unresolved:${cmd.idempotencyKey}:${target}`),
      type: 'notification.delivery_failed',
      occurredAt: new Date().toISOString(),
      actor: SYSTEM,
      ticketId: cmd.ticketId,
      data: { kind: 'page', template: cmd.template, idempotencyKey: cmd.idempotencyKey, target, reason },
      schemaVersion: 1,
    });
  }

  async function giveUp(row: DeliveryRow, cmd: NotifyCommand, error: string) {
    const failed = await markFailed(row.id, error);
    logger.error({ deliveryId: row.id, channel: row.channel, error }, 'delivery failed after its retries');
    await alertLead(failed, cmd);
  }

  /**
   * Handles one command. Returns when every delivery is settled: sent, failed (and alerted), or
   * handed to the poller with a time. Throws when something should be retried by redelivery.
   */
  async function handleCommand(cmd: NotifyCommand, attempt: { isLast: boolean }): Promise<void> {
    await sql`insert into commands (idempotency_key, payload) values (${cmd.idempotencyKey}, ${sql.json(cmd)}) on conflict do nothing`;
    const { recipients, unresolved } = await o.resolver.resolve(cmd.targets, { ticketId: cmd.ticketId, siteId: cmd.siteId });
    for (const u of unresolved) await announceUnresolved(cmd, describeTarget(u.target), u.reason);
    // Nobody at all: retried (a directory sync may be under way), then dead-lettered and announced.
    if (recipients.length === 0) throw new Error(`no recipients for targets ${cmd.targets.map(describeTarget).join(', ')}`);
    const rows: DeliveryRow[] = [];
    for (const r of recipients) {
      const reachable = pageChannels(cmd.channels, r).filter((c) => addressOf(r, c) !== null);
      // A person with no address on any requested channel is a failure, not a silent skip.
      for (const c of reachable.length > 0 ? reachable : [cmd.channels[0]!]) rows.push(await ensureRow(cmd.idempotencyKey, r, c, cmd.ticketId, 'page', cmd.template));
    }
    const errors: Error[] = [];
    await Promise.all(
      rows.map(async (row) => {
        try {
          if (row.status === 'sent' || row.status === 'delivered') return emit('notification.sent', row);
          if (row.status === 'failed') return alertLead(row, cmd);
          if (row.scheduled_at) return; // the poller's now
          if (addressOf(row.recipient, row.channel) === null) return giveUp(row, cmd, `recipient has no ${row.channel} address`);
          if (row.attempts === 0) {
            const d = await deferral(cmd, row);
            if (d) {
              await sql`update deliveries set scheduled_at = ${d.until}, last_error = ${d.reason}, updated_at = now() where id = ${row.id} and status = 'queued'`;
              logger.info({ deliveryId: row.id, until: d.until, reason: d.reason }, 'delivery deferred');
              return;
            }
          }
          const claimed = await claim(row.id);
          if (!claimed) {
            const [now] = await sql<DeliveryRow[]>`select * from deliveries where id = ${row.id}`;
            if (now && now.status === 'queued' && !now.scheduled_at) throw new DeliveryInProgress(`delivery ${row.id} is being sent by another attempt`);
            return;
          }
          try {
            await sendClaimed([claimed], [await pageFor(cmd, claimed.recipient)]);
          } catch (err) {
            const message = (err as Error).message;
            if (attempt.isLast) return giveUp(claimed, cmd, message);
            await release(claimed.id, message);
            throw err;
          }
        } catch (err) {
          errors.push(err as Error);
        }
      }),
    );
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} deliveries of ${cmd.idempotencyKey} need another attempt: ${errors.map((e) => e.message).join('; ')}`);
  }

  /** Sends what is due: deferred pages per person and channel, bundled into one message. */
  async function pollDue(): Promise<number> {
    // Only pages are deferred; alerts are sent at once and never wait.
    const groups = await sql<{ recipient_id: string; channel: NotificationChannel }[]>`
      select distinct recipient_id, channel from deliveries
      where status = 'queued' and kind = 'page' and scheduled_at <= now() and (claimed_until is null or claimed_until < now()) limit 100`;
    let sent = 0;
    for (const g of groups) {
      const rows = await sql<(DeliveryRow & { payload: NotifyCommand })[]>`
        update deliveries d set claimed_until = now() + ${`${o.leaseMs} milliseconds`}::interval, attempts = attempts + 1, updated_at = now()
        from commands c
        where d.id in (
          select id from deliveries
          where recipient_id = ${g.recipient_id} and channel = ${g.channel} and kind = 'page' and status = 'queued'
            and scheduled_at <= now() and (claimed_until is null or claimed_until < now())
          order by created_at limit 20 for update skip locked)
          and c.idempotency_key = d.idempotency_key
        returning d.*, c.payload`;
      if (rows.length === 0) continue;
      try {
        const pages: PageView[] = [];
        for (const r of rows) pages.push(await pageFor(r.payload, r.recipient));
        await sendClaimed(rows, pages);
        sent += rows.length;
      } catch (err) {
        const message = (err as Error).message;
        for (const r of rows) {
          if (r.attempts >= o.maxAttempts) await giveUp(r, r.payload, message);
          else await release(r.id, message, new Date(Date.now() + (o.retryDelaysMs[Math.min(r.attempts - 1, o.retryDelaysMs.length - 1)] ?? 30_000)));
        }
      }
    }
    return sent;
  }

  /**
   * A provider's later word on a message it accepted (Twilio's status callback): `delivered`
   * settles it; a message that did not arrive fails its deliveries and, for a page, alerts an IT
   * lead on another channel as any failed page does. Only `sent` rows move, so a repeated or
   * out-of-order callback changes nothing. Returns how many deliveries changed.
   */
  async function providerStatus(channel: NotificationChannel, providerMessageId: string, outcome: { status: 'delivered' } | { status: 'failed'; error: string }): Promise<number> {
    const rows =
      outcome.status === 'delivered'
        ? await sql<DeliveryRow[]>`
            update deliveries set status = 'delivered', updated_at = now()
            where channel = ${channel} and provider_message_id = ${providerMessageId} and status = 'sent' returning *`
        : await sql<DeliveryRow[]>`
            update deliveries set status = 'failed', last_error = ${outcome.error}, updated_at = now()
            where channel = ${channel} and provider_message_id = ${providerMessageId} and status = 'sent' returning *`;
    count(rows);
    for (const row of rows) {
      if (outcome.status === 'delivered') {
        await emit('notification.delivered', row);
        continue;
      }
      logger.error({ deliveryId: row.id, channel, error: outcome.error }, 'the provider could not deliver a sent message');
      const [cmd] = await sql<{ payload: NotifyCommand }[]>`select payload from commands where idempotency_key = ${row.idempotency_key}`;
      // An alert that did not arrive is not alerted about in turn (that could loop); it is failed loudly.
      if (row.kind === 'page' && cmd) await alertLead(row, cmd.payload);
      else await emit('notification.delivery_failed', row);
    }
    return rows.length;
  }

  /** The update a delivery row carries, rendered at send time from its burst: the ticket's latest status and what changed. */
  async function updateViewOf(row: DeliveryRow): Promise<UpdateView> {
    const burstId = row.idempotency_key.replace(/^update:/, '');
    const ticketId = row.ticket_id!;
    const [ticket] = await sql<{ number: string; status: string | null }[]>`select number, status from followed_tickets where ticket_id = ${ticketId}`;
    const changes = await sql<{ event_id: string; type: string; occurred_at: Date; data: { noteId?: string; nextUpdateAt?: string; incidentTicketId?: string } }[]>`
      select event_id, type, occurred_at, data from update_changes where burst_id = ${burstId} order by occurred_at, event_id`;
    const number = ticket?.number ?? 'your ticket';
    const incidentNumbers = new Map<string, string>();
    for (const id of new Set(changes.flatMap((c) => (c.data.incidentTicketId ? [c.data.incidentTicketId] : [])))) {
      const [t] = await sql<{ number: string }[]>`select number from followed_tickets where ticket_id = ${id}`;
      incidentNumbers.set(id, t?.number ?? 'the outage');
    }
    const list: UpdateChange[] = [];
    for (const c of changes) {
      if (!(UPDATE_KINDS as readonly string[]).includes(c.type)) continue;
      // The words of a public note go into email only (updateViewFor drops them for other channels
      // too); a change of the major incident the ticket is part of has its note on the incident.
      const noteTicket = c.data.incidentTicketId ?? ticketId;
      const text = row.channel === 'email' && c.data.noteId && o.readPublicNote ? await o.readPublicNote(noteTicket, c.data.noteId) : null;
      list.push({
        kind: c.type as UpdateKind,
        at: c.occurred_at.toISOString(),
        ...(text ? { text } : {}),
        ...(c.data.incidentTicketId ? { incident: incidentNumbers.get(c.data.incidentTicketId)! } : {}),
        ...(c.data.nextUpdateAt ? { nextUpdateAt: c.data.nextUpdateAt } : {}),
      });
    }
    const status = ticket?.status ?? null;
    const resolved = [...changes].reverse().find((c) => c.type === 'resolved');
    // Still resolved when sent: the links would be refused on a reopened or closed ticket anyway.
    // A resolve of the incident is one event for all its children: each child's links are its own.
    const linkKey = resolved ? (resolved.data.incidentTicketId ? `resolved:${resolved.event_id}:${ticketId}` : `resolved:${resolved.event_id}`) : '';
    const resolvedLinks =
      row.channel === 'email' && resolved && status === 'resolved'
        ? await o.mintRequesterLinks({ ticketId, ticketNumber: number, recipientId: row.recipient_id, idempotencyKey: linkKey })
        : undefined;
    return {
      ticketNumber: number,
      status: statusWords(status),
      changes: list,
      link: `${o.portalUrl.replace(/\/$/, '')}/tickets/${ticketId}`,
      ...(resolvedLinks ? { resolvedLinks } : {}),
    };
  }

  const retryAt = (attempts: number) => new Date(Date.now() + (o.retryDelaysMs[Math.min(attempts - 1, o.retryDelaysMs.length - 1)] ?? 30_000));

  async function announceUpdateFailed(ticketId: string, burstId: string, recipientId: string, reason: string) {
    logger.error({ burstId, recipientId, reason }, 'a status update could not be delivered to anyone');
    await publishEvent(o.js, {
      id: stableUuid(`update-failed:${burstId}`),
      type: 'notification.delivery_failed',
      occurredAt: new Date().toISOString(),
      actor: SYSTEM,
      ticketId,
      data: { kind: 'update', template: UPDATE_TEMPLATE, idempotencyKey: `update:${burstId}`, recipientId, reason },
      schemaVersion: 1,
    });
  }

  /**
   * Bursts whose window has passed become delivery rows, one per channel the person is told on,
   * scheduled now or at the end of their quiet hours. The burst is leased while this runs (its
   * due time moves on), so a crash here only delays it; the rows' unique key makes a repeat harmless.
   */
  async function dispatchDueBursts(): Promise<number> {
    const due = await sql<{ id: string; ticket_id: string; recipient_id: string; attempts: number }[]>`
      update update_bursts set state = 'closed', attempts = attempts + 1, due_at = now() + ${`${o.leaseMs} milliseconds`}::interval
      where id in (
        select id from update_bursts where state in ('open', 'closed') and due_at <= now() order by due_at limit 50 for update skip locked)
      returning id, ticket_id, recipient_id, attempts`;
    let dispatched = 0;
    for (const b of due) {
      try {
        // A watcher removed before the update went out is no longer told.
        const [follows] = await sql`select 1 from ticket_followers where ticket_id = ${b.ticket_id} and user_id = ${b.recipient_id} limit 1`;
        if (!follows) {
          await sql`update update_bursts set state = 'dispatched', last_error = 'no longer follows the ticket' where id = ${b.id}`;
          continue;
        }
        const { recipients } = await o.resolver.resolve([{ kind: 'user', userId: b.recipient_id }], { ticketId: b.ticket_id, siteId: '' });
        const r = recipients[0];
        if (!r) {
          await sql`update update_bursts set state = 'failed', last_error = 'not in the directory' where id = ${b.id}`;
          await announceUpdateFailed(b.ticket_id, b.id, b.recipient_id, 'the person is not (or no longer) in the directory');
          continue;
        }
        if (r.isVendor) {
          // Vendors work from their signed links and the facts; requester updates are not theirs.
          await sql`update update_bursts set state = 'dispatched', last_error = 'vendors are not sent status updates' where id = ${b.id}`;
          continue;
        }
        const quiet = r.quietHours ? quietUntil(r.quietHours, new Date()) : null;
        for (const channel of updateChannels(r)) {
          await sql`
            insert into deliveries (id, idempotency_key, recipient_id, channel, ticket_id, status, kind, template, recipient, scheduled_at, last_error)
            values (${randomUUID()}, ${`update:${b.id}`}, ${r.userId}, ${channel}, ${b.ticket_id}, 'queued', 'update', ${UPDATE_TEMPLATE}, ${sql.json(r as never)},
              ${quiet ?? new Date()}, ${quiet ? 'quiet hours' : null})
            on conflict (idempotency_key, recipient_id, channel) do nothing`;
        }
        if (quiet) logger.info({ burstId: b.id, until: quiet }, 'update deferred to the end of quiet hours');
        await sql`update update_bursts set state = 'dispatched', last_error = null where id = ${b.id}`;
        dispatched++;
      } catch (err) {
        const message = (err as Error).message;
        if (b.attempts >= o.maxAttempts) {
          await sql`update update_bursts set state = 'failed', last_error = ${message} where id = ${b.id}`;
          await announceUpdateFailed(b.ticket_id, b.id, b.recipient_id, message.slice(0, 300));
        } else {
          await sql`update update_bursts set due_at = ${retryAt(b.attempts)}, last_error = ${message} where id = ${b.id}`;
        }
      }
    }
    return dispatched;
  }

  /** Sends the update rows that are due, each as one message; failures retry, then fail loudly on the timeline. */
  async function sendDueUpdates(): Promise<number> {
    const rows = await sql<DeliveryRow[]>`
      update deliveries set claimed_until = now() + ${`${o.leaseMs} milliseconds`}::interval, attempts = attempts + 1, updated_at = now()
      where id in (
        select id from deliveries
        where status = 'queued' and kind = 'update' and scheduled_at <= now() and (claimed_until is null or claimed_until < now())
        order by scheduled_at limit 20 for update skip locked)
      returning *`;
    let sent = 0;
    for (const row of rows) {
      try {
        if (addressOf(row.recipient, row.channel) === null) throw new Error(`recipient has no ${row.channel} address`);
        await sendClaimed([row], [], undefined, await updateViewOf(row));
        sent++;
      } catch (err) {
        const message = (err as Error).message;
        if (row.attempts >= o.maxAttempts || addressOf(row.recipient, row.channel) === null) {
          const failed = await markFailed(row.id, message);
          logger.error({ deliveryId: row.id, channel: row.channel, error: message }, 'update failed after its retries');
          await emit('notification.delivery_failed', failed);
        } else {
          await release(row.id, message, retryAt(row.attempts));
        }
      }
    }
    return sent;
  }

  /** The poller's share of status updates: due bursts into rows, due rows out. */
  async function pollUpdates(): Promise<number> {
    await dispatchDueBursts();
    return sendDueUpdates();
  }

  return { handleCommand, pollDue, pollUpdates, providerStatus };
}

export type Pipeline = ReturnType<typeof createPipeline>;
