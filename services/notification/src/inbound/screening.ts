/**
 * What the processor checks before it acts on a message: is it a machine talking (a loop in the
 * making), and did the clinic's relay find it failing SPF, DKIM or DMARC. Pure functions over
 * the raw header lines, so each rule is tested on its own (screening.test.ts).
 */

/** Header name (lower case) → its values, topmost first, unfolded. */
export type HeaderLines = Map<string, string[]>;

/** Reads the header section of a raw message (RFC 5322: up to the first empty line), unfolding continuation lines. */
export function readHeaders(raw: Buffer | string): HeaderLines {
  const text = typeof raw === 'string' ? raw : raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const out: HeaderLines = new Map();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

export interface OwnIdentity {
  /** Addresses Tierline sends from (MAIL_FROM) and receives on (the help-desk address). */
  addresses: string[];
  /** Domains of the Message-IDs Tierline writes (e.g. notification.tierline). */
  messageIdDomains: string[];
}

const addressIn = (value: string): string | null => {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(value) ?? /([^\s<>,;"]+@[^\s<>,;"]+)/.exec(value);
  return m?.[1]?.toLowerCase() ?? null;
};

/**
 * Why this message must not open a ticket or add a comment, or null when a person wrote it:
 * auto-replies and other generated mail (RFC 3834 Auto-Submitted, Precedence, Microsoft's
 * X-Auto-Response-Suppress), bounces (an empty return path), and Tierline's own mail coming back.
 */
export function loopReason(h: HeaderLines, envelopeFrom: string, own: OwnIdentity): string | null {
  if (envelopeFrom.trim() === '' || envelopeFrom.trim() === '<>') return 'bounce: empty return path';
  const autoSubmitted = h.get('auto-submitted')?.[0]?.toLowerCase();
  if (autoSubmitted && !/^no\b/.test(autoSubmitted)) return `automatic mail: Auto-Submitted ${autoSubmitted}`;
  const precedence = h.get('precedence')?.[0]?.toLowerCase();
  if (precedence && /^(bulk|junk|list|auto_reply)\b/.test(precedence)) return `automatic mail: Precedence ${precedence}`;
  if (h.has('x-auto-response-suppress')) return 'automatic mail: X-Auto-Response-Suppress';
  if (h.has('x-autoreply') || h.has('x-autorespond')) return 'automatic mail: auto-responder header';
  if (h.has('list-id') || h.has('list-unsubscribe')) return 'mailing list mail';
  const content = h.get('content-type')?.[0]?.toLowerCase() ?? '';
  if (content.startsWith('multipart/report')) return 'bounce: delivery report';
  const ownAddresses = own.addresses.map((a) => addressIn(a) ?? a.toLowerCase());
  const from = addressIn(h.get('from')?.[0] ?? '');
  if (from && ownAddresses.includes(from)) return "Tierline's own mail: From is Tierline";
  const returnPath = addressIn(envelopeFrom);
  if (returnPath && ownAddresses.includes(returnPath)) return "Tierline's own mail: return path is Tierline";
  const domains = own.messageIdDomains.map((d) => d.toLowerCase());
  const messageIdDomain = /@([^>\s]+)>?\s*$/.exec(h.get('message-id')?.[0] ?? '')?.[1]?.toLowerCase();
  if (messageIdDomain && domains.includes(messageIdDomain)) return "Tierline's own mail: its Message-ID";
  return null;
}

/**
 * The verdicts of the topmost Authentication-Results header written by our relay (its authserv-id),
 * RFC 8601. Headers with another authserv-id are ignored: anyone can write one into a message;
 * the relay adds its own on top as it receives the message. `null` when our relay wrote none.
 */
export function relayVerdicts(h: HeaderLines, authservId: string): Record<string, string> | null {
  const want = authservId.toLowerCase();
  for (const value of h.get('authentication-results') ?? []) {
    const id = /^\s*([^\s;]+)/.exec(value)?.[1]?.toLowerCase();
    if (id !== want) continue;
    const verdicts: Record<string, string> = {};
    for (const part of value.split(';').slice(1)) {
      const m = /^\s*(spf|dkim|dmarc|arc)\s*=\s*([a-z]+)/i.exec(part);
      if (m && !(m[1]!.toLowerCase() in verdicts)) verdicts[m[1]!.toLowerCase()] = m[2]!.toLowerCase();
      // Several DKIM signatures: one failing one does not hold a message that another passes.
      else if (m && m[1]!.toLowerCase() === 'dkim' && m[2]!.toLowerCase() === 'pass') verdicts.dkim = 'pass';
    }
    return verdicts;
  }
  return null;
}

/** Why the message is held, or null: our relay found SPF, DKIM or DMARC failing (fail or permerror). */
export function authFailure(h: HeaderLines, authservId: string): string | null {
  const v = relayVerdicts(h, authservId);
  if (!v) return null;
  const failed = (['spf', 'dkim', 'dmarc'] as const).filter((k) => v[k] === 'fail' || v[k] === 'permerror');
  return failed.length > 0 ? `held: ${failed.map((k) => `${k}=${v[k]}`).join(', ')} (Authentication-Results of ${authservId})` : null;
}
