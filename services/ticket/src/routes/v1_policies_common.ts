/**
 * What the /api/v1/policies routes share: who may read and edit, the response schemas, the full
 * check of a policy (zod, then validatePolicy) and the audited-event helper.
 */
import { z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { EscalationPolicySchema, ErrorEnvelopeSchema, type ActorRef, type EscalationPolicy, type EventEnvelope } from '@tierline/contracts';
import { AppError, hasRole, pathInt, zodIssuesToDetails, type Actor } from '@tierline/platform';
import { validatePolicy } from '@tierline/domain';
import type { TicketAppEnv } from '../deps.js';
import { policyOutbox, type PolicyDraft } from '@tierline/ticket-store';

export const POLICY_TAGS = ['Policies'];

// ---------------------------------------------------------------------------------------------
// Access: IT leads edit and publish; IT agents and auditors read; everybody else is refused.

export const canReadPolicies = (a: Actor): boolean => hasRole(a, 'it_lead', 'it_agent', 'auditor');
export const canEditPolicies = (a: Actor): boolean => hasRole(a, 'it_lead');

/** Route middleware: runs before body validation, so a refused caller learns nothing else. */
export const policyReaders = createMiddleware<TicketAppEnv>(async (c, next) => {
  if (!canReadPolicies(c.get('actor'))) throw new AppError('FORBIDDEN', 'escalation policies are visible to IT and auditors only');
  await next();
});
export const policyEditors = createMiddleware<TicketAppEnv>(async (c, next) => {
  if (!canEditPolicies(c.get('actor'))) throw new AppError('FORBIDDEN', 'only IT leads may change escalation policies');
  await next();
});

export const actorRef = (a: Actor): ActorRef => ({ kind: 'user', id: a.id, role: a.primaryRole });

// ---------------------------------------------------------------------------------------------
// Checking a policy

export const PolicyIssueSchema = z
  .object({
    path: z.string().openapi({ example: 'rules.0.levels.1.after.minutes' }),
    message: z.string(),
  })
  .openapi('PolicyIssue');
export type PolicyIssueView = z.infer<typeof PolicyIssueSchema>;

/**
 * The whole check: structure (zod) first; only a structurally sound policy gets the semantic
 * checks of validatePolicy. Issues name fields by dotted path either way.
 */
export function checkPolicy(doc: unknown): { policy?: EscalationPolicy; issues: PolicyIssueView[] } {
  const parsed = EscalationPolicySchema.safeParse(doc);
  if (!parsed.success) return { issues: zodIssuesToDetails(parsed.error.issues) };
  return { policy: parsed.data, issues: validatePolicy(parsed.data) };
}

// ---------------------------------------------------------------------------------------------
// Response schemas

export const PolicyDraftSchema = z
  .object({
    policy: EscalationPolicySchema,
    lockVersion: z.number().int().nonnegative().openapi({
      description: 'Send it back as `If-Match` when saving. 0: nothing saved yet; `policy` is then a copy of the newest published version.',
    }),
    basedOnVersion: z.number().int().positive().nullable().openapi({ description: 'The published version this draft started from.' }),
    updatedBy: z.string().nullable(),
    updatedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .openapi('PolicyDraft');
export type PolicyDraftView = z.infer<typeof PolicyDraftSchema>;

export const DraftResponseSchema = z
  .object({
    draft: PolicyDraftSchema,
    valid: z.boolean().openapi({ description: 'Whether the draft could be published as it stands.' }),
    issues: z.array(PolicyIssueSchema),
  })
  .openapi('PolicyDraftResponse');

export const draftView = (d: PolicyDraft): PolicyDraftView => ({ ...d });

export const PolicyVersionSchema = z
  .object({
    version: z.number().int().positive(),
    policy: EscalationPolicySchema,
    publishedBy: z.string(),
    publishedAt: z.iso.datetime({ offset: true }),
    notes: z.string(),
  })
  .openapi('PolicyVersion', { description: 'A published version. Never changes once published.' });

export const VersionParamSchema = z.object({
  version: pathInt().openapi({ param: { name: 'version', in: 'path' }, example: 2 }),
});

/** `If-Match: "3"`, `W/"3"` or `3` → 3. Anything else is a 400 naming the header. */
const IF_MATCH = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/;

/** The `If-Match` header of the draft's writes: the lockVersion read, as an ETag. */
export const IfMatchSchema = z
  .string()
  .regex(IF_MATCH, 'must be the draft\'s lockVersion as an ETag, e.g. "3" (use "0" when no draft was saved yet)')
  .openapi({ description: 'The lockVersion read, as an ETag: "3".', example: '"3"' });

export function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = IF_MATCH.exec(value);
  if (!m) {
    throw new AppError('BAD_REQUEST', 'invalid request: if-match', [
      { path: 'if-match', message: 'must be the draft\'s lockVersion as an ETag, e.g. "3" (use "0" when no draft was saved yet)' },
    ]);
  }
  return Number(m[1]);
}

export const etag = (lockVersion: number): string => `"${lockVersion}"`;

const errorContent = { 'application/json': { schema: ErrorEnvelopeSchema } };
export const conflictResponse = { 409: { description: 'Conflicts with the current state; `message` says how', content: errorContent } } as const;
export const unprocessableResponse = {
  422: { description: 'The policy fails validation; `details` lists every issue by path', content: errorContent },
} as const;
export const policyNotFoundResponse = { 404: { description: 'No such policy version or draft', content: errorContent } } as const;

// ---------------------------------------------------------------------------------------------
// Events

/** Publishes an event already written to the outbox in the change's transaction. */
export async function emit(deps: TicketAppEnv['Variables']['deps'], event: EventEnvelope): Promise<void> {
  await policyOutbox.publish(deps.sql, deps.js, event, deps.logger);
}
