import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { getDraft, latestPublished } from '@tierline/ticket-store';
import { authErrorResponses } from './common.js';
import { DraftResponseSchema, POLICY_TAGS, checkPolicy, draftView, etag, policyNotFoundResponse, policyReaders, type PolicyDraftView } from './v1_policies_common.js';

export const getPolicyDraftRoute = createRoute({
  method: 'get',
  path: '/api/v1/policies/draft',
  tags: POLICY_TAGS,
  summary: 'Read the policy draft',
  description:
    'The one working copy of the escalation policy, with its validation issues. Before anything was saved, the draft is a copy of the newest published version with `lockVersion` 0. The `ETag` header carries the lockVersion to send back as `If-Match` when saving.',
  security: [{ bearerAuth: [] }],
  middleware: [policyReaders] as const,
  responses: {
    200: { description: 'The draft and whether it could be published', content: { 'application/json': { schema: DraftResponseSchema } } },
    ...authErrorResponses,
    ...policyNotFoundResponse,
  },
});

export function registerGetPolicyDraft(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(getPolicyDraftRoute, async (c) => {
    const { sql } = c.get('deps');
    const stored = await getDraft(sql);
    let draft: PolicyDraftView;
    if (stored) {
      draft = draftView(stored);
    } else {
      const latest = await latestPublished(sql);
      if (!latest) throw new AppError('NOT_FOUND', 'there is neither a draft nor a published policy yet');
      draft = { policy: latest.policy, lockVersion: 0, basedOnVersion: latest.version, updatedBy: null, updatedAt: null };
    }
    const { issues } = checkPolicy(draft.policy);
    return c.json({ draft, valid: issues.length === 0, issues }, 200, { etag: etag(draft.lockVersion) });
  });
}
