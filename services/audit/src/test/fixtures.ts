import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@tierline/contracts';
import { GENESIS_HASH, canonicalJson, chainHash } from '../chain.js';
import type { ChainRow } from '../verify.js';

/** A plausible event; `n` makes each one distinct and easy to spot. */
export function sampleEvent(n: number, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    id: randomUUID(),
    type: n % 3 === 0 ? 'ticket.escalated' : n % 3 === 1 ? 'ticket.created' : 'policy.published',
    occurredAt: new Date(Date.UTC(2025, 0, 1, 8, 0, n)).toISOString(),
    actor: n % 2 === 0 ? { kind: 'user', id: `user-${n % 5}`, role: 'it_agent' } : { kind: 'system', id: 'escalation-engine' },
    ticketId: n % 3 === 2 ? undefined : randomUUID(),
    data: { n, note: `event ${n}` },
    schemaVersion: 1,
    ...overrides,
  };
}

/** Rows exactly as appendEvent would store them, without a database. */
export function buildChain(count: number): ChainRow[] {
  const rows: ChainRow[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const e = sampleEvent(seq);
    const content = canonicalJson(e);
    const hash = chainHash(prevHash, seq, content);
    rows.push({
      seq,
      prevHash,
      hash,
      content,
      columns: { eventId: e.id, eventType: e.type, ticketId: e.ticketId ?? null, actorKind: e.actor.kind, actorId: e.actor.id, occurredAt: e.occurredAt },
    });
    prevHash = hash;
  }
  return rows;
}

/** Recomputes every hash from `fromSeq` on, as an attacker with the code would after an edit. */
export function rehash(rows: ChainRow[], fromSeq = 1): ChainRow[] {
  const out = rows.map((r) => ({ ...r }));
  for (let i = 0; i < out.length; i++) {
    const r = out[i]!;
    if (r.seq < fromSeq) continue;
    r.prevHash = i === 0 ? GENESIS_HASH : out[i - 1]!.hash;
    r.hash = chainHash(r.prevHash, r.seq, r.content);
  }
  return out;
}
