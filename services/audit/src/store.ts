import type { EventEnvelope } from '@tierline/contracts';
import type { Sql } from '@tierline/platform';
import { GENESIS_HASH, canonicalJson, chainHash } from './chain.js';

/** One lock for everything that reads the chain head and writes after it (appends, checkpoints). */
export const CHAIN_LOCK = 'tierline-audit-chain';

/**
 * Appends one event to the chain, exactly once. Appends are serialised by an advisory lock so
 * the chain has one head; an event id already recorded is a no-op (redelivery, duplicates).
 * Returns whether a row was written.
 */
export async function appendEvent(sql: Sql, event: EventEnvelope): Promise<{ inserted: boolean; seq: number }> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${CHAIN_LOCK}))`;
    const [dupe] = await tx<{ seq: string }[]>`select seq from audit_log where event_id = ${event.id}`;
    if (dupe) return { inserted: false, seq: Number(dupe.seq) };
    const [head] = await tx<{ seq: string; hash: string }[]>`select seq, hash from audit_log order by seq desc limit 1`;
    const seq = head ? Number(head.seq) + 1 : 1;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const content = canonicalJson(event);
    const hash = chainHash(prevHash, seq, content);
    const actorRole = event.actor.kind === 'user' ? event.actor.role : null;
    await tx`
      insert into audit_log (seq, event_id, event_type, ticket_id, actor_kind, actor_id, actor_role, occurred_at,
        content, prev_hash, hash)
      values (${seq}, ${event.id}, ${event.type}, ${event.ticketId ?? null}, ${event.actor.kind}, ${event.actor.id},
        ${actorRole}, ${event.occurredAt}, ${content}, ${prevHash}, ${hash})`;
    return { inserted: true, seq };
  });
}
