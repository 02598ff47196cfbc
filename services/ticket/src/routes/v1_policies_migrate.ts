import { randomUUID } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { PrioritySchema, TICKET_STATUSES, type EscalationPolicy } from '@tierline/contracts';
import { AppError, PG_INT_MAX, trimmedText, type Actor } from '@tierline/platform';
import { migratePolicyUpdate, ticketWorkflowId } from '@tierline/ticket-workflow';
import type { TicketAppEnv } from '../deps.js';
import {
  policyEvent,
  publishedVersion,
  recordMigration,
  recordMigrationResults,
  selectTicketsToMigrate,
  ticketsByIds,
  type OpenTicketRow,
} from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { POLICY_TAGS, actorRef, emit, policyEditors, policyNotFoundResponse } from './v1_policies_common.js';

/** Most tickets one request migrates. Each is a Temporal update; a bigger backlog takes several calls. */
export const MIGRATION_BATCH_LIMIT = 500;
/** Updates in flight at once: enough to be quick, few enough not to flood the frontend. */
const CONCURRENCY = 8;
/** How long one ticket's update may take (e.g. no worker polling) before it is reported failed. */
export const MIGRATION_UPDATE_TIMEOUT_MS = 15_000;

const OPEN_STATUSES = TICKET_STATUSES.filter((s) => s !== 'resolved' && s !== 'closed') as [string, ...string[]];

export const MigratePolicyRequestSchema = z
  .object({
    toVersion: z.number().int().positive().max(PG_INT_MAX).openapi({ example: 2 }),
    ticketIds: z.array(z.uuid()).min(1).max(MIGRATION_BATCH_LIMIT).optional().openapi({ description: 'Migrate exactly these tickets (those that qualify).' }),
    filter: z
      .object({
        status: z.enum(OPEN_STATUSES).optional(),
        priority: PrioritySchema.optional(),
        siteId: z.string().min(1).optional(),
        fromVersion: z.number().int().nonnegative().max(PG_INT_MAX).optional().openapi({ description: 'Only tickets now on this version.' }),
      })
      .strict()
      .optional()
      .openapi({ description: 'Narrows the open tickets; `{}` means every open ticket on an older version.' }),
    reason: trimmedText(3, 1000).openapi({ description: 'Why; kept with the migration record (not copied into events).' }),
  })
  .strict()
  .refine((b) => b.ticketIds !== undefined || b.filter !== undefined, {
    message: 'name the tickets: give `ticketIds`, or `filter` (`{}` for every open ticket)',
    path: ['filter'],
  })
  // The refine above, said in the document.
  .openapi('MigratePolicyRequest', { anyOf: [{ required: ['ticketIds'] }, { required: ['filter'] }] });

export const MigrationResultSchema = z
  .object({
    ticketId: z.string(),
    ok: z.boolean(),
    fromVersion: z.number().int().nullable(),
    error: z.string().optional(),
  })
  .openapi('PolicyMigrationResult');

export const MigratePolicyResponseSchema = z
  .object({
    migrationId: z.uuid(),
    toVersion: z.number().int(),
    attempted: z.number().int().openapi({ description: 'Tickets sent to their workflow in this call.' }),
    succeeded: z.number().int(),
    failed: z.number().int(),
    truncated: z.boolean().openapi({ description: `More tickets matched than the batch limit (${MIGRATION_BATCH_LIMIT}); call again for the rest.` }),
    limit: z.number().int(),
    results: z.array(MigrationResultSchema),
  })
  .openapi('PolicyMigration');
type MigrationResult = z.infer<typeof MigrationResultSchema>;

export const migratePoliciesRoute = createRoute({
  method: 'post',
  path: '/api/v1/policies/migrate',
  tags: POLICY_TAGS,
  summary: 'Move open tickets onto a newer policy version (IT leads)',
  description:
    `Each open ticket (not resolved or closed) on a version older than \`toVersion\` that matches \`ticketIds\` and/or \`filter\` gets the workflow update \`migratePolicy\`, which keeps elapsed clock time and records the audited \`ticket.policy_migrated\` event. ` +
    `At most ${MIGRATION_BATCH_LIMIT} tickets per call (\`truncated\` says when more matched). The answer lists a result per ticket; one failing does not stop the others. ` +
    'Named tickets that do not qualify (unknown, closed, already on that version or newer, outside the filter) are listed as failed with the reason.',
  security: [{ bearerAuth: [] }],
  middleware: [policyEditors] as const,
  request: { body: { required: true, content: { 'application/json': { schema: MigratePolicyRequestSchema } } } },
  responses: {
    200: { description: 'What happened to each ticket', content: { 'application/json': { schema: MigratePolicyResponseSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...policyNotFoundResponse,
  },
});

/** Why a named ticket was not selected. */
function skipReason(row: OpenTicketRow | undefined, toVersion: number): string {
  if (!row) return 'no such ticket';
  if (row.status === 'resolved' || row.status === 'closed') return `ticket is ${row.status}; only open tickets are migrated`;
  if (row.policy_version >= toVersion) return `ticket is already on version ${row.policy_version}`;
  return 'ticket does not match the filter';
}

function describeFailure(err: unknown, ticketId: string): string {
  if (err instanceof WorkflowNotFoundError) return `the ticket's workflow ${ticketWorkflowId(ticketId)} does not exist or has finished`;
  if (err instanceof WorkflowUpdateFailedError) return `the workflow refused the migration: ${err.cause?.message ?? err.message}`;
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return `the ticket's workflow did not answer within ${MIGRATION_UPDATE_TIMEOUT_MS / 1000} s (is a worker running?)`;
  }
  const e = err as { code?: number; message?: string };
  // gRPC DEADLINE_EXCEEDED (4), from the per-ticket deadline below.
  if (e?.code === 4 || /deadline/i.test(e?.message ?? '')) {
    return `the ticket's workflow did not answer within ${MIGRATION_UPDATE_TIMEOUT_MS / 1000} s (is a worker running?)`;
  }
  return e?.message ?? String(err);
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

export async function migrateTicket(
  temporal: Client,
  args: { ticketId: string; fromVersion: number; actor: Actor; version: number; policy: EscalationPolicy; migrationId: string },
): Promise<MigrationResult> {
  try {
    await temporal.withDeadline(Date.now() + MIGRATION_UPDATE_TIMEOUT_MS, () =>
      temporal.workflow.getHandle(ticketWorkflowId(args.ticketId)).executeUpdate(migratePolicyUpdate, {
        args: [{ actor: { id: args.actor.id, role: args.actor.primaryRole }, policy: { version: args.version, policy: args.policy } }],
        // A retried request with the same migration id is not applied twice by the workflow.
        updateId: `migrate-${args.migrationId}`,
      }),
    );
    return { ticketId: args.ticketId, ok: true, fromVersion: args.fromVersion };
  } catch (err) {
    return { ticketId: args.ticketId, ok: false, fromVersion: args.fromVersion, error: describeFailure(err, args.ticketId) };
  }
}

export function registerMigratePolicies(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(migratePoliciesRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const body = c.req.valid('json');
    const target = await publishedVersion(deps.sql, body.toVersion);
    if (!target) throw new AppError('NOT_FOUND', `no published policy version ${body.toVersion}`);

    const ticketIds = body.ticketIds ? [...new Set(body.ticketIds)] : undefined;
    const selected = await selectTicketsToMigrate(deps.sql, {
      toVersion: body.toVersion,
      ...(ticketIds ? { ticketIds } : {}),
      ...(body.filter ? { filter: body.filter } : {}),
      limit: MIGRATION_BATCH_LIMIT + 1,
    });
    const truncated = selected.length > MIGRATION_BATCH_LIMIT;
    const batch = selected.slice(0, MIGRATION_BATCH_LIMIT);

    const skipped: MigrationResult[] = [];
    if (ticketIds) {
      const chosen = new Set(batch.map((t) => t.id));
      const rest = ticketIds.filter((id) => !chosen.has(id));
      const rows = new Map((await ticketsByIds(deps.sql, rest)).map((r) => [r.id, r]));
      for (const id of rest) {
        const row = rows.get(id);
        skipped.push({ ticketId: id, ok: false, fromVersion: row?.policy_version ?? null, error: skipReason(row, body.toVersion) });
      }
    }

    // The request is on record (and its event in the outbox) before any workflow is touched.
    const migrationId = randomUUID();
    const event = policyEvent('policy.migration_requested', actorRef(actor), {
      migrationId,
      toVersion: body.toVersion,
      policyName: target.policy.name ?? null,
      ticketIds: batch.map((t) => t.id),
      truncated,
    });
    await recordMigration(deps.sql, {
      id: migrationId,
      toVersion: body.toVersion,
      requestedBy: actor.id,
      reason: body.reason,
      selection: { ticketIds: ticketIds ?? null, filter: body.filter ?? null, selected: batch.map((t) => t.id), truncated },
      event,
    });
    await emit(deps, event);

    const migrated = await mapLimit(batch, CONCURRENCY, (t) =>
      migrateTicket(deps.temporal, {
        ticketId: t.id,
        fromVersion: t.policy_version,
        actor,
        version: target.version,
        policy: target.policy,
        migrationId,
      }),
    );
    const results = [...migrated, ...skipped];
    await recordMigrationResults(deps.sql, migrationId, results);
    const succeeded = migrated.filter((r) => r.ok).length;
    deps.logger.info({ migrationId, toVersion: body.toVersion, attempted: batch.length, succeeded, truncated }, 'policy migration requested');
    return c.json(
      {
        migrationId,
        toVersion: body.toVersion,
        attempted: batch.length,
        succeeded,
        failed: results.length - succeeded,
        truncated,
        limit: MIGRATION_BATCH_LIMIT,
        results,
      },
      200,
    );
  });
}
