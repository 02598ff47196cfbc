/** The policies store against the real PostgreSQL (and NATS JetStream for the outbox). */
import { describe, expect } from 'vitest';
import { DeliverPolicy } from '@nats-io/jetstream';
import { EVENTS_STREAM, EscalationPolicySchema, type EventEnvelope } from '@tierline/contracts';
import { createSql } from '@tierline/platform';
import { DEFAULT_POLICY, TEST_FAST_POLICY, validatePolicy } from '@tierline/domain';
import {
  ensureInitialPolicy,
  latestPublished,
  policyEvent,
  policyOutbox,
  publishDraft,
  publishedVersion,
  saveDraft,
} from './policies.js';
import { storeTest as it } from './test/fixtures.js';

/** What the ticket service's publish route checks (v1_policies_common.ts checkPolicy), without its issue wording. */
const checkPolicy = (doc: unknown) => {
  const parsed = EscalationPolicySchema.safeParse(doc);
  if (!parsed.success) return { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
  return { policy: parsed.data, issues: validatePolicy(parsed.data) };
};

const actor = { kind: 'user', id: 'lead-1', role: 'it_lead' } as const;

describe('policies store', () => {
  it('has nothing published before the seed', async ({ database: { sql } }) => {
    expect(await latestPublished(sql)).toBeNull();
    expect(await publishedVersion(sql, 1)).toBeNull();
  });

  it('seeds version 1 exactly once, even when several instances start at once', async ({ database: { sql, url } }) => {
    const others = Array.from({ length: 4 }, () => createSql(url, 'ticket', 1));
    const results = await Promise.all([sql, ...others].map((s) => ensureInitialPolicy(s, DEFAULT_POLICY, 'system:ticket-service')));
    await Promise.all(others.map((s) => s.end()));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results.every((r) => r.version === 1)).toBe(true);
    expect(await ensureInitialPolicy(sql, TEST_FAST_POLICY, 'system:ticket-service')).toEqual({ version: 1, created: false });
    const latest = await latestPublished(sql);
    expect(latest?.version).toBe(1);
    expect(latest?.policy).toEqual(DEFAULT_POLICY);
    expect((await publishedVersion(sql, 1))?.publishedBy).toBe('system:ticket-service');
    const [{ n }] = (await sql`select count(*)::int as n from policy_outbox where event->>'type' = 'policy.published'`) as unknown as [{ n: number }];
    expect(n).toBe(1);
  });

  it('gives two concurrent publishes of one draft one new version, never a clash', async ({ database: { sql } }) => {
    const fast = EscalationPolicySchema.parse(TEST_FAST_POLICY);
    const saved = await saveDraft(sql, { policy: fast, expectedLockVersion: 0, updatedBy: 'lead-1', event: () => policyEvent('policy.draft_saved', actor, {}) });
    expect(saved?.draft).toMatchObject({ lockVersion: 1, basedOnVersion: 1 });
    const publish = () =>
      publishDraft(sql, {
        publishedBy: 'lead-1',
        notes: '',
        check: checkPolicy,
        event: (v) => policyEvent('policy.published', actor, { version: v.version }),
      });
    const outcomes = await Promise.all([publish(), publish(), publish()]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['published', 'unchanged', 'unchanged']);
    expect((await latestPublished(sql))?.version).toBe(2);
    // A second first-save loses to the first one.
    expect(await saveDraft(sql, { policy: fast, expectedLockVersion: 0, updatedBy: 'lead-2', event: () => policyEvent('policy.draft_saved', actor, {}) })).toBeNull();
  });

  it('keeps published versions immutable in the database itself', async ({ database: { sql } }) => {
    await expect(sql`update policy_versions set published_by = 'mallory' where version = 1`).rejects.toMatchObject({
      code: '23001',
      message: 'version 1 is published and cannot change',
    });
    await expect(sql`delete from policy_versions`).rejects.toThrow(/is published and cannot change/);
    await expect(sql`truncate policy_versions cascade`).rejects.toThrow(/immutable/);
    expect((await publishedVersion(sql, 1))?.publishedBy).toBe('system:ticket-service');
  });

  it('publishes what the outbox holds when JetStream is there, once', async ({ database: { sql }, nats: { js } }) => {
    const pending = (await sql<{ event: EventEnvelope }[]>`select event from policy_outbox where published_at is null order by created_at`).map((r) => r.event);
    expect(pending.length).toBeGreaterThanOrEqual(3);
    const consumer = await js.consumers.get(EVENTS_STREAM, { filter_subjects: ['tierline.events.policy.>'], deliver_policy: DeliverPolicy.New });
    const messages = await consumer.consume();
    const seen: EventEnvelope[] = [];
    const reading = (async () => {
      for await (const m of messages) seen.push(m.json<EventEnvelope>());
    })();

    expect(await policyOutbox.flush(sql, js, undefined, 2)).toBe(pending.length);
    expect(await policyOutbox.flush(sql, js)).toBe(0);
    const end = Date.now() + 10_000;
    while (Date.now() < end && !pending.every((p) => seen.some((s) => s.id === p.id))) await new Promise((r) => setTimeout(r, 100));
    void messages.close();
    await reading;
    expect(seen.filter((s) => pending.some((p) => p.id === s.id)).map((s) => s.type)).toEqual(pending.map((p) => p.type));
    const seed = seen.find((s) => s.type === 'policy.published' && s.data['seeded'] === true && pending.some((p) => p.id === s.id));
    expect(seed?.actor).toEqual({ kind: 'system', id: 'system:ticket-service' });
  });
});
