import { randomUUID } from 'node:crypto';
import {
  EVENT_SCHEMA_VERSION,
  VendorLinkEventDataSchemas,
  type ActorRef,
  type CreateVendorLink,
  type EventEnvelope,
  type Priority,
  type VendorLinkEventType,
  type VendorLinkRefusal,
} from '@tierline/contracts';
import { AppError, eventOutbox, type JetStreamClient, type Logger, type Sql } from '@tierline/platform';
import { findUser } from './directory.js';
import type { VendorLinkClaims, VendorLinkKeys } from './vendor-link-keys.js';

/** vendor_links, as stored. The token is never stored: it is re-signed from the row (see vendor-link-keys.ts). */
export interface VendorLinkRow {
  id: string;
  ticket_id: string;
  ticket_number: string;
  priority: Priority;
  site_id: string;
  level: number | null;
  vendor_org_id: string;
  recipient_id: string;
  deadline_at: Date | null;
  idempotency_key: string;
  issued_at: Date;
  expires_at: Date;
  used_at: Date | null;
  used_ip: string | null;
  used_user_agent: string | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

export type LinkStatus = 'open' | 'used' | 'revoked' | 'expired';

export function linkStatus(r: VendorLinkRow, now = new Date()): LinkStatus {
  if (r.used_at) return 'used';
  if (r.revoked_at) return 'revoked';
  return r.expires_at.getTime() <= now.getTime() ? 'expired' : 'open';
}

export function claimsOf(r: VendorLinkRow): VendorLinkClaims {
  return {
    jti: r.id,
    sub: r.recipient_id,
    tid: r.ticket_id,
    lvl: r.level,
    org: r.vendor_org_id,
    iat: Math.floor(r.issued_at.getTime() / 1000),
    exp: Math.floor(r.expires_at.getTime() / 1000),
  };
}

export type NewLink = CreateVendorLink;

/**
 * Creates the link for (idempotency key, recipient), or returns the one that exists: a
 * redelivered notification command gets the same link, so the vendor never holds two. The same
 * key for a different ticket, level or organisation is refused (409), never silently merged.
 */
export async function issueLink(sql: Sql, link: NewLink, ttlMs: number, issuedBy: ActorRef, now = Date.now()): Promise<{ row: VendorLinkRow; created: boolean; event: EventEnvelope | null }> {
  // Whole seconds: iat and exp are seconds, and the row must sign to the very same token later.
  const issued = Math.floor(now / 1000) * 1000;
  const expires = issued + Math.max(1000, Math.ceil(ttlMs / 1000) * 1000);
  return sql.begin(async (tx) => {
    const [created] = await tx<VendorLinkRow[]>`
      insert into vendor_links (id, ticket_id, ticket_number, priority, site_id, level, vendor_org_id, recipient_id, deadline_at,
        idempotency_key, issued_at, expires_at)
      values (${randomUUID()}, ${link.ticketId}, ${link.ticketNumber}, ${link.priority}, ${link.siteId}, ${link.level}, ${link.vendorOrgId},
        ${link.recipientId}, ${link.deadlineAt}, ${link.idempotencyKey}, ${new Date(issued)}, ${new Date(expires)})
      on conflict (idempotency_key, recipient_id) do nothing
      returning *`;
    if (created) {
      const event = vendorLinkEvent('vendor_link.issued', issuedBy, created.ticket_id, {
        ...facts(created),
        priority: created.priority,
        siteId: created.site_id,
        expiresAt: created.expires_at.toISOString(),
      });
      await vendorLinkOutbox.add(tx, event);
      return { row: created, created: true, event };
    }
    const [existing] = await tx<VendorLinkRow[]>`
      select * from vendor_links where idempotency_key = ${link.idempotencyKey} and recipient_id = ${link.recipientId}`;
    if (!existing) throw new AppError('CONFLICT', 'the link was created and removed concurrently; retry');
    if (existing.ticket_id !== link.ticketId || existing.level !== link.level || existing.vendor_org_id !== link.vendorOrgId) {
      throw new AppError('CONFLICT', `idempotencyKey ${link.idempotencyKey} was already used for another ticket, level or vendor organisation`);
    }
    return { row: existing, created: false, event: null };
  });
}

export async function findLink(sql: Sql, id: string): Promise<VendorLinkRow | null> {
  const [row] = await sql<VendorLinkRow[]>`select * from vendor_links where id = ${id}`;
  return row ?? null;
}

export async function listLinks(sql: Sql, ticketId: string): Promise<VendorLinkRow[]> {
  return sql<VendorLinkRow[]>`select * from vendor_links where ticket_id = ${ticketId} order by issued_at, id`;
}

/** The facts every vendor_link event names; ids only, no names or addresses. */
export function facts(r: VendorLinkRow) {
  return { linkId: r.id, ticketId: r.ticket_id, ticketNumber: r.ticket_number, level: r.level, vendorOrgId: r.vendor_org_id, recipientId: r.recipient_id };
}

// ---------------------------------------------------------------------------------------------
// Checking a presented link

export type LinkCheck = { ok: true; row: VendorLinkRow } | { ok: false; reason: VendorLinkRefusal; row: VendorLinkRow | null; claims: VendorLinkClaims | null };

/**
 * Everything the identity service can decide about a presented token on its own, in the order a
 * vendor is best told: not ours → tampered; ours but no such row → unknown; claims that do not
 * match the row → wrong recipient; then used, revoked, expired; then whether the recipient is
 * (still) an enabled vendor user of the link's organisation. With `forUpdate` (inside a
 * transaction) the row stays locked until it ends, so two submits of one link run one after
 * the other and the second sees the first's `used_at`.
 */
export async function checkLink(sql: Sql, keys: VendorLinkKeys, token: string, opts: { forUpdate?: boolean; now?: Date } = {}): Promise<LinkCheck> {
  const now = opts.now ?? new Date();
  // A genuine link is a few hundred characters; anything far longer is refused unparsed.
  if (token.length > 2048) return { ok: false, reason: 'tampered', row: null, claims: null };
  const verified = await keys.verify(token);
  if (!verified.ok && verified.reason === 'tampered') return { ok: false, reason: 'tampered', row: null, claims: null };
  const claims = verified.claims;
  const [row] = opts.forUpdate
    ? await sql<VendorLinkRow[]>`select * from vendor_links where id = ${claims.jti} for update`
    : await sql<VendorLinkRow[]>`select * from vendor_links where id = ${claims.jti}`;
  if (!row) return { ok: false, reason: 'unknown', row: null, claims };
  if (row.recipient_id !== claims.sub || row.ticket_id !== claims.tid || row.level !== claims.lvl || row.vendor_org_id !== claims.org) {
    return { ok: false, reason: 'wrong_recipient', row, claims };
  }
  const status = linkStatus(row, now);
  if (status === 'used' || status === 'revoked') return { ok: false, reason: status, row, claims };
  if (status === 'expired' || !verified.ok) return { ok: false, reason: 'expired', row, claims };
  const user = await findUser(sql, row.recipient_id);
  if (!user || !user.enabled || !user.roles.includes('vendor') || user.vendorOrg !== row.vendor_org_id) {
    return { ok: false, reason: 'wrong_recipient', row, claims };
  }
  return { ok: true, row };
}

// ---------------------------------------------------------------------------------------------
// Events, through an outbox: written with the change, published after the commit, and published
// again by vendorLinkOutbox.flush if NATS did not take them (docs/decisions/0026).

export function vendorLinkEvent<T extends VendorLinkEventType>(type: T, actor: ActorRef, ticketId: string | null, data: Record<string, unknown>): EventEnvelope {
  // Parsed here so a malformed event fails where it is made, not later in the flush loop.
  const parsed = VendorLinkEventDataSchemas[type].parse(data) as Record<string, unknown>;
  return {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    actor,
    ...(ticketId ? { ticketId } : {}),
    data: parsed,
    schemaVersion: EVENT_SCHEMA_VERSION,
  };
}

export const vendorLinkOutbox = eventOutbox('vendor_link_outbox');

// ---------------------------------------------------------------------------------------------
// Refused attempts: counted per window, recorded as one event per window (not per request)

export interface Refusal {
  reason: VendorLinkRefusal;
  action: 'open' | 'acknowledge';
  /** Null when nothing about the token is believable (tampered). */
  linkId: string | null;
  ticketId: string | null;
}

/** Adds one refused attempt to the count of its window; one short upsert, nothing else is written. */
export async function countRefusal(sql: Sql, r: Refusal, windowMs: number, now = new Date()): Promise<void> {
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  await sql`
    insert into vendor_link_refusal_counts (window_start, window_ms, reason, action, link_id, ticket_id)
    values (${windowStart}, ${windowMs}, ${r.reason}, ${r.action}, ${r.linkId}, ${r.ticketId})
    on conflict (window_start, reason, action, coalesce(link_id, '00000000-0000-0000-0000-000000000000'::uuid))
    do update set count = vendor_link_refusal_counts.count + 1, last_at = now()`;
}

/**
 * Turns every window that has ended (by `now`) into one vendor_link.refusals_counted event in the
 * outbox, removing its count in the same transaction; vendorLinkOutbox.flush publishes them. Safe
 * with several replicas (rows are locked, others skipped). An attempt counted after its window
 * was closed starts a new row for that window, so it is reported too, in a second event.
 */
export async function closeRefusalWindows(sql: Sql, now = new Date()): Promise<number> {
  return sql.begin(async (tx) => {
    const rows = await tx<{ window_start: Date; window_ms: number; reason: VendorLinkRefusal; action: 'open' | 'acknowledge'; link_id: string | null; ticket_id: string | null; count: number }[]>`
      delete from vendor_link_refusal_counts
      where ctid in (
        select ctid from vendor_link_refusal_counts
        where window_start + make_interval(secs => window_ms / 1000.0) <= ${now}
        order by window_start
        limit 500
        for update skip locked)
      returning window_start, window_ms, reason, action, link_id, ticket_id, count`;
    for (const r of rows) {
      const event = vendorLinkEvent('vendor_link.refusals_counted', { kind: 'system', id: 'vendor-link' }, r.ticket_id, {
        reason: r.reason,
        action: r.action,
        linkId: r.link_id,
        ticketId: r.ticket_id,
        count: r.count,
        windowStart: r.window_start.toISOString(),
        windowEnd: new Date(r.window_start.getTime() + r.window_ms).toISOString(),
      });
      await vendorLinkOutbox.add(tx, event);
    }
    return rows.length;
  });
}

/** Closes ended windows and publishes what is in the outbox, every `everyMs`. */
export function startRefusalWindows(opts: { sql: Sql; js: JetStreamClient; logger: Logger; everyMs: number }) {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = closeRefusalWindows(opts.sql)
      .then((n) => (n > 0 ? vendorLinkOutbox.flush(opts.sql, opts.js, opts.logger) : 0))
      .catch((err: unknown) => opts.logger.warn({ err }, 'closing vendor link refusal windows failed'));
  };
  const timer = setInterval(tick, opts.everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
