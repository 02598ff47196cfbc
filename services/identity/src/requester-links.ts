import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  EVENT_SCHEMA_VERSION,
  RequesterLinkAnswerSchema,
  RequesterLinkEventDataSchemas,
  type ActorRef,
  type CreateRequesterLinks,
  type EventEnvelope,
  type RequesterLinkAnswer,
  type RequesterLinkEventType,
  type RequesterLinkRefusal,
} from '@tierline/contracts';
import { AppError, type Sql } from '@tierline/platform';
import { findUser } from './directory.js';
import type { LinkPurpose, LinkSigner, VendorLinkKeys } from './vendor-link-keys.js';
import { vendorLinkOutbox } from './vendor-links.js';

/**
 * Requester links (docs/decisions/0035): the "Fixed" / "Not fixed" pair in a resolved message.
 * Signed with the vendor links' key under their own purpose; one row per pair, spent as a whole.
 */

/** What a requester link token says. `jti` is the requester_links row; `ans` which button it carries. */
export const RequesterLinkClaimsSchema = z.object({
  jti: z.uuid(),
  sub: z.string().min(1),
  tid: z.uuid(),
  ans: RequesterLinkAnswerSchema,
  iat: z.number().int(),
  exp: z.number().int(),
});
export type RequesterLinkClaims = z.infer<typeof RequesterLinkClaimsSchema>;

export const REQUESTER_LINK: LinkPurpose<RequesterLinkClaims> = { audience: 'tierline-requester-link', typ: 'requester-link+jwt', claims: RequesterLinkClaimsSchema };

export const requesterLinkSigner = (keys: VendorLinkKeys): LinkSigner<RequesterLinkClaims> => keys.signer(REQUESTER_LINK);

/** The only caller that may mint them: the notification service puts them into resolved messages. */
export const REQUESTER_LINK_MINTER = 'tierline-notification';

/** How long after "Fixed" the satisfaction question can still be answered with the same link. */
export const SATISFACTION_WINDOW_MS = 24 * 3_600_000;

/** requester_links, as stored. */
export interface RequesterLinkRow {
  id: string;
  ticket_id: string;
  ticket_number: string;
  recipient_id: string;
  idempotency_key: string;
  issued_at: Date;
  expires_at: Date;
  used_at: Date | null;
  used_answer: RequesterLinkAnswer | null;
  used_ip: string | null;
  used_user_agent: string | null;
  satisfaction_at: Date | null;
}

export function requesterClaims(r: RequesterLinkRow, ans: RequesterLinkAnswer): RequesterLinkClaims {
  return { jti: r.id, sub: r.recipient_id, tid: r.ticket_id, ans, iat: Math.floor(r.issued_at.getTime() / 1000), exp: Math.floor(r.expires_at.getTime() / 1000) };
}

export function requesterLinkEvent<T extends RequesterLinkEventType>(type: T, actor: ActorRef, r: RequesterLinkRow, extra: Record<string, unknown>): EventEnvelope {
  const data = RequesterLinkEventDataSchemas[type].parse({ linkId: r.id, ticketId: r.ticket_id, ticketNumber: r.ticket_number, recipientId: r.recipient_id, ...extra }) as Record<string, unknown>;
  return { id: randomUUID(), type, occurredAt: new Date().toISOString(), actor, ticketId: r.ticket_id, data, schemaVersion: EVENT_SCHEMA_VERSION };
}

/**
 * Creates the pair for (idempotency key, recipient), or returns the one that exists: a
 * redelivered update gets the same links. The same key for another ticket is refused (409).
 */
export async function issueRequesterLinks(sql: Sql, link: CreateRequesterLinks, ttlMs: number, issuedBy: ActorRef, now = Date.now()): Promise<{ row: RequesterLinkRow; created: boolean; event: EventEnvelope | null }> {
  // Whole seconds: iat and exp are seconds, and the row must sign to the very same tokens later.
  const issued = Math.floor(now / 1000) * 1000;
  const expires = issued + Math.max(1000, Math.ceil(ttlMs / 1000) * 1000);
  return sql.begin(async (tx) => {
    const [created] = await tx<RequesterLinkRow[]>`
      insert into requester_links (id, ticket_id, ticket_number, recipient_id, idempotency_key, issued_at, expires_at)
      values (${randomUUID()}, ${link.ticketId}, ${link.ticketNumber}, ${link.recipientId}, ${link.idempotencyKey}, ${new Date(issued)}, ${new Date(expires)})
      on conflict (idempotency_key, recipient_id) do nothing
      returning *`;
    if (created) {
      const event = requesterLinkEvent('requester_link.issued', issuedBy, created, { expiresAt: created.expires_at.toISOString() });
      await vendorLinkOutbox.add(tx, event);
      return { row: created, created: true, event };
    }
    const [existing] = await tx<RequesterLinkRow[]>`
      select * from requester_links where idempotency_key = ${link.idempotencyKey} and recipient_id = ${link.recipientId}`;
    if (!existing) throw new AppError('CONFLICT', 'the links were created and removed concurrently; retry');
    if (existing.ticket_id !== link.ticketId) throw new AppError('CONFLICT', `idempotencyKey ${link.idempotencyKey} was already used for another ticket`);
    return { row: existing, created: false, event: null };
  });
}

export type RequesterLinkCheck =
  | { ok: true; row: RequesterLinkRow; claims: RequesterLinkClaims }
  | { ok: false; reason: RequesterLinkRefusal; row: RequesterLinkRow | null; claims: RequesterLinkClaims | null };

/**
 * What the identity service can decide about a presented token on its own: not ours → tampered;
 * no such row → unknown; claims that do not match the row, or a recipient no longer enabled →
 * wrong recipient; then spent (either link of the pair), expired. Whether the ticket still takes
 * the answer (resolved, and this person its requester) is the ticket service's to say. With
 * `forUpdate` (in a transaction) the row stays locked until it ends, so two presses of the pair
 * run one after the other and the second finds the pair spent. `allowSpent` lets the
 * satisfaction answer through a link spent by "Fixed".
 */
export async function checkRequesterLink(
  sql: Sql,
  signer: LinkSigner<RequesterLinkClaims>,
  token: string,
  opts: { forUpdate?: boolean; now?: Date; allowSpent?: boolean } = {},
): Promise<RequesterLinkCheck> {
  const now = opts.now ?? new Date();
  if (token.length > 2048) return { ok: false, reason: 'tampered', row: null, claims: null };
  const verified = await signer.verify(token);
  if (!verified.ok && verified.reason === 'tampered') return { ok: false, reason: 'tampered', row: null, claims: null };
  const claims = verified.claims;
  const [row] = opts.forUpdate
    ? await sql<RequesterLinkRow[]>`select * from requester_links where id = ${claims.jti} for update`
    : await sql<RequesterLinkRow[]>`select * from requester_links where id = ${claims.jti}`;
  if (!row) return { ok: false, reason: 'unknown', row: null, claims };
  if (row.recipient_id !== claims.sub || row.ticket_id !== claims.tid) return { ok: false, reason: 'wrong_recipient', row, claims };
  if (row.used_at && !opts.allowSpent) return { ok: false, reason: 'used', row, claims };
  if (!row.used_at && (!verified.ok || row.expires_at.getTime() <= now.getTime())) return { ok: false, reason: 'expired', row, claims };
  const user = await findUser(sql, row.recipient_id);
  if (!user || !user.enabled) return { ok: false, reason: 'wrong_recipient', row, claims };
  return { ok: true, row, claims };
}
