import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { EscalationPolicySchema } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import { validatePolicy } from '@tierline/domain';
import type { TicketAppEnv } from '../deps.js';
import { getDraft, policyEvent, saveDraft } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import {
  DraftResponseSchema,
  POLICY_TAGS,
  actorRef,
  conflictResponse,
  draftView,
  emit,
  etag,
  IfMatchSchema,
  parseIfMatch,
  policyEditors,
} from './v1_policies_common.js';

export const putPolicyDraftRoute = createRoute({
  method: 'put',
  path: '/api/v1/policies/draft',
  tags: POLICY_TAGS,
  summary: 'Save the policy draft (IT leads)',
  description:
    'Replaces the draft. `If-Match` must carry the lockVersion last read (`"0"` before the first save); if someone saved in between the answer is 409 and nothing is overwritten. ' +
    'A body that is not a well-formed policy is refused with 400 naming each field. A well-formed policy that fails the semantic checks (e.g. a level after the resolution target) is saved anyway and returned with `valid: false` and its `issues`: it just cannot be published yet.',
  security: [{ bearerAuth: [] }],
  middleware: [policyEditors] as const,
  request: {
    headers: z.object({
      'if-match': IfMatchSchema,
    }),
    body: { required: true, content: { 'application/json': { schema: EscalationPolicySchema } } },
  },
  responses: {
    200: { description: 'Saved; `valid` says whether it can be published', content: { 'application/json': { schema: DraftResponseSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...conflictResponse,
  },
});

export function registerPutPolicyDraft(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(putPolicyDraftRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const policy = c.req.valid('json');
    // Required and well-formed (IfMatchSchema): a concurrent edit is never overwritten unknowingly.
    const expected = parseIfMatch(c.req.valid('header')['if-match'])!;
    const issues = validatePolicy(policy);
    const saved = await saveDraft(deps.sql, {
      policy,
      expectedLockVersion: expected,
      updatedBy: actor.id,
      event: (d) =>
        policyEvent('policy.draft_saved', actorRef(actor), {
          policyName: policy.name ?? null,
          lockVersion: d.lockVersion,
          basedOnVersion: d.basedOnVersion,
          valid: issues.length === 0,
          issueCount: issues.length,
        }),
    });
    if (!saved) {
      const current = await getDraft(deps.sql);
      throw new AppError(
        'CONFLICT',
        current
          ? `the draft was changed by someone else (now lockVersion ${current.lockVersion}, you sent ${expected}); reload it and re-apply your edit`
          : `there is no saved draft yet; save with If-Match: "0"`,
      );
    }
    await emit(deps, saved.event);
    return c.json({ draft: draftView(saved.draft), valid: issues.length === 0, issues }, 200, { etag: etag(saved.draft.lockVersion) });
  });
}
