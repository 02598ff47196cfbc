import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Reply addresses: `<local>+<ticket number>.<token>@<domain>` of the help-desk address, e.g.
 * `help+it-1042.5f0c…@clinic.example`. The token is an HMAC of the ticket number under a key
 * only this service holds, so nobody can write the address of a ticket they were not mailed
 * about, and a token copied from one ticket's mail does not verify for another ticket's number.
 *
 * Rotation: REPLY_TOKEN_KEYS lists keys, newest first. The first signs; every listed key
 * verifies, so replies to mail sent before a rotation still land until the old key is removed
 * (docs/decisions/0036).
 *
 * Lower case throughout: relays and mail clients may change the case of a local part.
 */
const TOKEN_HEX = 24; // 96 bits

function tokenFor(key: string, ticketNumber: string): string {
  return createHmac('sha256', key).update(`tierline-reply:v1:${ticketNumber.toUpperCase()}`).digest('hex').slice(0, TOKEN_HEX);
}

function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at).toLowerCase(), domain: address.slice(at + 1).toLowerCase() };
}

export interface ReplyAddressConfig {
  /** The help-desk address, e.g. help@clinic.example. */
  helpdeskAddress: string;
  /** Newest first; at least one. */
  keys: readonly string[];
}

export function replyAddressFor(ticketNumber: string, cfg: ReplyAddressConfig): string {
  const base = splitAddress(cfg.helpdeskAddress);
  if (!base) throw new Error(`not an address: ${cfg.helpdeskAddress}`);
  const key = cfg.keys[0];
  if (!key) throw new Error('no reply token key');
  return `${base.local}+${ticketNumber.toLowerCase()}.${tokenFor(key, ticketNumber)}@${base.domain}`;
}

export type ReplyAddressMatch =
  /** The help-desk address itself: a new ticket. */
  | { kind: 'helpdesk' }
  /** A reply address whose token verifies for this ticket number (upper case, as tickets are numbered). */
  | { kind: 'reply'; ticketNumber: string }
  /** Looks like a reply address of ours, but the token is wrong for the number (forged, altered, or a retired key). */
  | { kind: 'forged'; ticketNumber: string }
  /** Not an address of the help desk at all. */
  | { kind: 'other' };

export function matchAddress(address: string, cfg: ReplyAddressConfig): ReplyAddressMatch {
  const a = splitAddress(address.trim());
  const base = splitAddress(cfg.helpdeskAddress);
  if (!a || !base || a.domain !== base.domain) return { kind: 'other' };
  if (a.local === base.local) return { kind: 'helpdesk' };
  if (!a.local.startsWith(`${base.local}+`)) return { kind: 'other' };
  const tag = a.local.slice(base.local.length + 1);
  const dot = tag.lastIndexOf('.');
  if (dot <= 0) return { kind: 'forged', ticketNumber: tag.toUpperCase() };
  const ticketNumber = tag.slice(0, dot).toUpperCase();
  const token = tag.slice(dot + 1);
  if (!/^[0-9a-f]+$/.test(token) || token.length !== TOKEN_HEX) return { kind: 'forged', ticketNumber };
  const given = Buffer.from(token, 'hex');
  for (const key of cfg.keys) {
    if (timingSafeEqual(given, Buffer.from(tokenFor(key, ticketNumber), 'hex'))) return { kind: 'reply', ticketNumber };
  }
  return { kind: 'forged', ticketNumber };
}
