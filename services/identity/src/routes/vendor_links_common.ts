import type { Context, MiddlewareHandler } from 'hono';
import { z } from '@hono/zod-openapi';
import { PrioritySchema, type EventEnvelope } from '@tierline/contracts';
import { AppError, clientAddress, rateLimit, type Sql } from '@tierline/platform';
import type { IdentityAppEnv, IdentityDeps } from '../deps.js';
import { rateLimitedPage, refusalPage, REFUSAL_STATUS, VENDOR_PAGE_HEADERS, type PageTicket } from '../vendor-link-pages.js';
import { countRefusal, linkStatus, vendorLinkOutbox, type LinkCheck, type VendorLinkRow } from '../vendor-links.js';

/** The only caller that may mint links: the notification service puts them into vendors' messages. */
export const VENDOR_LINK_MINTER = 'tierline-notification';

export const VendorLinkSchema = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    ticketNumber: z.string(),
    priority: PrioritySchema,
    siteId: z.string(),
    level: z.number().int().nullable().openapi({ description: 'Escalation level; null for a hand-off to the vendor.' }),
    vendorOrgId: z.string(),
    recipientId: z.string(),
    deadlineAt: z.iso.datetime({ offset: true }).nullable(),
    issuedAt: z.iso.datetime({ offset: true }),
    expiresAt: z.iso.datetime({ offset: true }),
    status: z.enum(['open', 'used', 'revoked', 'expired']),
    usedAt: z.iso.datetime({ offset: true }).nullable(),
    usedIp: z.string().nullable(),
    usedUserAgent: z.string().nullable(),
    revokedAt: z.iso.datetime({ offset: true }).nullable(),
    revokedBy: z.string().nullable(),
    revokeReason: z.string().nullable(),
  })
  .openapi('VendorLink', { description: 'A vendor signed link as stored; never the token.' });
export type VendorLinkBody = z.infer<typeof VendorLinkSchema>;

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

export function toVendorLinkBody(r: VendorLinkRow, now = new Date()): VendorLinkBody {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    ticketNumber: r.ticket_number,
    priority: r.priority,
    siteId: r.site_id,
    level: r.level,
    vendorOrgId: r.vendor_org_id,
    recipientId: r.recipient_id,
    deadlineAt: iso(r.deadline_at),
    issuedAt: r.issued_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    status: linkStatus(r, now),
    usedAt: iso(r.used_at),
    usedIp: r.used_ip,
    usedUserAgent: r.used_user_agent,
    revokedAt: iso(r.revoked_at),
    revokedBy: r.revoked_by,
    revokeReason: r.revoke_reason,
  };
}

/** Publishes an event its transaction already put in the outbox; if NATS is down, the flush loop sends it later. */
export async function publishCommitted(deps: IdentityDeps, event: EventEnvelope | null): Promise<void> {
  if (event) await vendorLinkOutbox.publish(deps.sql, deps.js, event, deps.logger);
}

/** What the page shows of a link: ticket facts only, the site by name and in its time zone when known. */
export async function pageTicket(sql: Sql, r: VendorLinkRow): Promise<PageTicket> {
  const [site] = await sql<{ name: string; time_zone: string }[]>`select name, time_zone from sites where id = ${r.site_id}`;
  return {
    number: r.ticket_number,
    priority: r.priority,
    siteName: site?.name ?? r.site_id,
    siteTimeZone: site?.time_zone ?? 'UTC',
    deadlineAt: r.deadline_at,
    deadlineLabel: 'Contract deadline',
  };
}

export const userAgentOf = (c: Context): string => (c.req.header('user-agent') ?? '').slice(0, 512);

/**
 * Answers a refused link: counts the refusal in its window (recorded as one
 * vendor_link.refusals_counted event per window, reason, action and link, not one per request:
 * anyone can send garbage) and logs it with the client address; then shows the page that says
 * which refusal, with its HTTP status.
 */
export async function refuse(c: Context<IdentityAppEnv>, check: Extract<LinkCheck, { ok: false }>, action: 'open' | 'acknowledge', detail: string | null = null): Promise<Response> {
  const deps = c.get('deps');
  const r = check.row;
  // A tampered token's claims are not believable; an unknown or mismatching one is ours but names
  // only what its claims say, so the row's facts are used only when the row itself was found.
  const linkId = r?.id ?? check.claims?.jti ?? null;
  const ticketId = r?.ticket_id ?? check.claims?.tid ?? null;
  deps.logger.info({ reason: check.reason, action, linkId, ticketId, ip: clientAddress(c, deps.trustedProxyHops) }, 'vendor link refused');
  try {
    await countRefusal(deps.sql, { reason: check.reason, action, linkId, ticketId }, deps.vendorLinks.refusalWindowMs ?? 60_000);
  } catch (err) {
    // The refusal stands whether or not it could be counted; the log keeps the trace.
    deps.logger.warn({ err, reason: check.reason }, 'could not count a refused vendor link');
  }
  const showTicket = r && check.reason !== 'wrong_recipient' ? r : null;
  const site = showTicket ? await pageTicket(deps.sql, showTicket) : null;
  const html = refusalPage({
    reason: check.reason,
    ticketNumber: showTicket?.ticket_number ?? null,
    usedAt: r?.used_at ?? null,
    revokedAt: r?.revoked_at ?? null,
    expiredAt: r?.expires_at ?? null,
    detail,
    timeZone: site?.siteTimeZone ?? 'UTC',
  });
  return c.html(html, REFUSAL_STATUS[check.reason], VENDOR_PAGE_HEADERS);
}

/**
 * The no-login pages are limited per client address. Over the limit the vendor gets a page, not
 * the JSON envelope the API answers with.
 */
export function vendorPageRateLimit(perMinute: number, trustedProxyHops?: number): MiddlewareHandler<IdentityAppEnv> {
  const limit = rateLimit({ name: 'vendor links', max: perMinute, windowMs: 60_000, key: (c) => `ip:${clientAddress(c, trustedProxyHops)}` });
  return async (c, next) => {
    try {
      await limit(c, next);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'RATE_LIMITED') throw err;
      const retryAfter = /retry in (\d+) s/.exec(err.message)?.[1] ?? '60';
      return c.html(rateLimitedPage(retryAfter), 429, { ...VENDOR_PAGE_HEADERS, 'Retry-After': retryAfter });
    }
  };
}
