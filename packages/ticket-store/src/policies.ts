/**
 * Escalation policies in PostgreSQL: the one draft, the numbered published versions (immutable,
 * see migrations/003_policies.sql), and the outbox of policy events.
 *
 * There is one clinic-wide policy line (policy id 'clinic'): a version is named by its number,
 * and "the newest published version" is what every new ticket runs on.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, type ActorRef, type EscalationPolicy, type EventEnvelope } from '@tierline/contracts';
import { eventOutbox, type Sql } from '@tierline/platform';
import { CLOSED_STATUSES } from './tickets.js';

export const POLICY_ID = 'clinic';

/** Serialises publishing (and the first-version seed): version numbers are max + 1. */
const PUBLISH_LOCK = 'tierline-policy-publish';

export interface PolicyVersion {
  version: number;
  policy: EscalationPolicy;
  publishedBy: string;
  publishedAt: string;
  notes: string;
}

export interface PolicyDraft {
  policy: EscalationPolicy;
  lockVersion: number;
  basedOnVersion: number | null;
  updatedBy: string;
  updatedAt: string;
}

interface VersionRow {
  version: number;
  document: EscalationPolicy;
  published_by: string;
  published_at: Date;
  notes: string;
}

interface DraftRow {
  document: EscalationPolicy;
  lock_version: number;
  based_on_version: number | null;
  updated_by: string;
  updated_at: Date;
}

const toVersion = (r: VersionRow): PolicyVersion => ({
  version: r.version,
  policy: r.document,
  publishedBy: r.published_by,
  publishedAt: r.published_at.toISOString(),
  notes: r.notes,
});

const toDraft = (r: DraftRow): PolicyDraft => ({
  policy: r.document,
  lockVersion: r.lock_version,
  basedOnVersion: r.based_on_version,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at.toISOString(),
});

/**
 * A jsonb parameter. (Not `${JSON.stringify(v)}::jsonb`: postgres.js would serialise the string
 * once more and store a JSON string.) Values here are plain JSON, hence the cast.
 */
const jsonb = (s: Pick<Sql, 'json'>, v: unknown) => s.json(v as Parameters<Sql['json']>[0]);

/** The newest published version: what a new ticket runs on. Null before the first publish. */
export async function latestPublished(sql: Sql): Promise<{ version: number; policy: EscalationPolicy } | null> {
  const [row] = await sql<{ version: number; document: EscalationPolicy }[]>`
    select version, document from policy_versions order by version desc limit 1`;
  return row ? { version: row.version, policy: row.document } : null;
}

/** One published version by number, or null. */
export async function publishedVersion(sql: Sql, version: number): Promise<PolicyVersion | null> {
  const [row] = await sql<VersionRow[]>`
    select version, document, published_by, published_at, notes from policy_versions where version = ${version}`;
  return row ? toVersion(row) : null;
}

export interface PolicyVersionSummary extends Omit<PolicyVersion, 'policy'> {
  /** The policy's own name, when it has one. */
  name: string | null;
}

export async function listVersions(sql: Sql): Promise<PolicyVersionSummary[]> {
  const rows = await sql<(Omit<VersionRow, 'document'> & { name: string | null })[]>`
    select version, published_by, published_at, notes, document->>'name' as name
    from policy_versions order by version desc`;
  return rows.map((r) => ({
    version: r.version,
    publishedBy: r.published_by,
    publishedAt: r.published_at.toISOString(),
    notes: r.notes,
    name: r.name,
  }));
}

export async function getDraft(sql: Sql): Promise<PolicyDraft | null> {
  const [row] = await sql<DraftRow[]>`
    select document, lock_version, based_on_version, updated_by, updated_at from policy_drafts where policy_id = ${POLICY_ID}`;
  return row ? toDraft(row) : null;
}

/**
 * Saves the draft if its lock_version is still `expectedLockVersion` (0 = "there is no draft
 * yet"). Returns null when someone else saved in between. The outbox event is written in the same
 * transaction.
 */
export async function saveDraft(
  sql: Sql,
  args: { policy: EscalationPolicy; expectedLockVersion: number; updatedBy: string; event: (d: PolicyDraft) => EventEnvelope },
): Promise<{ draft: PolicyDraft; event: EventEnvelope } | null> {
  return sql.begin(async (tx) => {
    let row: DraftRow | undefined;
    if (args.expectedLockVersion === 0) {
      // First save: start from the newest published version (for based_on_version).
      [row] = await tx<DraftRow[]>`
        insert into policy_drafts (policy_id, document, lock_version, based_on_version, updated_by)
        values (${POLICY_ID}, ${jsonb(tx, args.policy)}, 1,
          (select max(version) from policy_versions), ${args.updatedBy})
        on conflict (policy_id) do nothing
        returning document, lock_version, based_on_version, updated_by, updated_at`;
    } else {
      [row] = await tx<DraftRow[]>`
        update policy_drafts
        set document = ${jsonb(tx, args.policy)}, lock_version = lock_version + 1,
          updated_by = ${args.updatedBy}, updated_at = now()
        where policy_id = ${POLICY_ID} and lock_version = ${args.expectedLockVersion}
        returning document, lock_version, based_on_version, updated_by, updated_at`;
    }
    if (!row) return null;
    const draft = toDraft(row);
    const event = args.event(draft);
    await policyOutbox.add(tx, event);
    return { draft, event };
  });
}

export type PublishOutcome =
  | { kind: 'published'; version: PolicyVersion; event: EventEnvelope }
  | { kind: 'no_draft' }
  | { kind: 'stale'; lockVersion: number }
  | { kind: 'invalid'; issues: { path: string; message: string }[] }
  | { kind: 'unchanged'; version: number };

/**
 * Publishes the stored draft as version max + 1 under an advisory lock, so two leads publishing
 * at once get two consecutive numbers (or one "unchanged"), never a clash. `check` re-validates
 * the draft as stored (it may predate a stricter validator).
 */
export async function publishDraft(
  sql: Sql,
  args: {
    publishedBy: string;
    notes: string;
    expectedLockVersion?: number;
    check: (doc: unknown) => { policy?: EscalationPolicy; issues: { path: string; message: string }[] };
    event: (v: PolicyVersion) => EventEnvelope;
  },
): Promise<PublishOutcome> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${PUBLISH_LOCK}))`;
    const [draft] = await tx<{ document: unknown; lock_version: number }[]>`
      select document, lock_version from policy_drafts where policy_id = ${POLICY_ID} for update`;
    if (!draft) return { kind: 'no_draft' } as const;
    if (args.expectedLockVersion !== undefined && args.expectedLockVersion !== draft.lock_version) {
      return { kind: 'stale', lockVersion: draft.lock_version } as const;
    }
    const checked = args.check(draft.document);
    if (!checked.policy || checked.issues.length > 0) return { kind: 'invalid', issues: checked.issues } as const;
    const [same] = await tx<{ version: number }[]>`
      select version from policy_versions
      where version = (select max(version) from policy_versions) and document = ${jsonb(tx, checked.policy)}`;
    if (same) return { kind: 'unchanged', version: same.version } as const;
    const [row] = await tx<VersionRow[]>`
      insert into policy_versions (version, policy_id, document, published_by, notes)
      values ((select coalesce(max(version), 0) + 1 from policy_versions), ${POLICY_ID},
        ${jsonb(tx, checked.policy)}, ${args.publishedBy}, ${args.notes})
      returning version, document, published_by, published_at, notes`;
    // The draft continues from what was just published.
    await tx`update policy_drafts set based_on_version = ${row!.version} where policy_id = ${POLICY_ID}`;
    const version = toVersion(row!);
    const event = args.event(version);
    await policyOutbox.add(tx, event);
    return { kind: 'published', version, event } as const;
  });
}

/**
 * Publishes `policy` as version 1 if no version exists yet; otherwise does nothing. Safe when
 * several service instances start at once (same advisory lock as publishing). Call at start-up.
 */
export async function ensureInitialPolicy(
  sql: Sql,
  policy: EscalationPolicy,
  publishedBy: string,
): Promise<{ version: number; created: boolean }> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${PUBLISH_LOCK}))`;
    const [latest] = await tx<{ version: number }[]>`select max(version) as version from policy_versions`;
    if (latest?.version) return { version: latest.version, created: false };
    const [row] = await tx<VersionRow[]>`
      insert into policy_versions (version, policy_id, document, published_by, notes)
      values (1, ${POLICY_ID}, ${jsonb(tx, policy)}, ${publishedBy}, 'initial version, seeded at first start-up')
      returning version, document, published_by, published_at, notes`;
    await policyOutbox.add(
      tx,
      policyEvent('policy.published', { kind: 'system', id: publishedBy }, { version: 1, policyName: policy.name ?? null, seeded: true }),
    );
    return { version: row!.version, created: true };
  });
}

export interface OpenTicketRow {
  id: string;
  status: string;
  policy_version: number;
}

export interface MigrationSelection {
  toVersion: number;
  ticketIds?: string[];
  filter?: { status?: string; priority?: string; siteId?: string; fromVersion?: number };
  limit: number;
}

/**
 * Open tickets (status not resolved/closed) on a version older than `toVersion`, narrowed by the
 * filter, oldest first, at most `limit` (the caller asks for one more to learn whether the batch
 * is truncated).
 */
export async function selectTicketsToMigrate(sql: Sql, s: MigrationSelection): Promise<OpenTicketRow[]> {
  const f = s.filter ?? {};
  return sql<OpenTicketRow[]>`
    select id, status, policy_version from tickets
    where status not in ${sql(CLOSED_STATUSES)}
      and policy_version < ${s.toVersion}
      ${s.ticketIds ? sql`and id = any(${s.ticketIds}::uuid[])` : sql``}
      ${f.status ? sql`and status = ${f.status}` : sql``}
      ${f.priority ? sql`and priority = ${f.priority}` : sql``}
      ${f.siteId ? sql`and site_id = ${f.siteId}` : sql``}
      ${f.fromVersion !== undefined ? sql`and policy_version = ${f.fromVersion}` : sql``}
    order by created_at, id
    limit ${s.limit}`;
}

export async function ticketsByIds(sql: Sql, ids: string[]): Promise<OpenTicketRow[]> {
  return sql<OpenTicketRow[]>`select id, status, policy_version from tickets where id = any(${ids}::uuid[])`;
}

export async function recordMigration(
  sql: Sql,
  m: { id: string; toVersion: number; requestedBy: string; reason: string; selection: unknown; event: EventEnvelope },
): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`
      insert into policy_migrations (id, to_version, requested_by, reason, selection)
      values (${m.id}, ${m.toVersion}, ${m.requestedBy}, ${m.reason}, ${jsonb(tx, m.selection)})`;
    await policyOutbox.add(tx, m.event);
  });
}

export async function recordMigrationResults(sql: Sql, id: string, results: unknown): Promise<void> {
  await sql`update policy_migrations set results = ${jsonb(sql, results)} where id = ${id}`;
}

// ---------------------------------------------------------------------------------------------
// Events

export function policyEvent(type: `policy.${string}`, actor: ActorRef, data: Record<string, unknown>): EventEnvelope {
  return { id: randomUUID(), type, occurredAt: new Date().toISOString(), actor, data, schemaVersion: EVENT_SCHEMA_VERSION };
}

/**
 * Policy events, written with the change (docs/decisions/0026). Assignment events share this
 * outbox (assignment.ts), so the ticket service's one flush loop sends both.
 */
export const policyOutbox = eventOutbox('policy_outbox');
