import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { policyEvent, publishDraft } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import {
  POLICY_TAGS,
  PolicyVersionSchema,
  actorRef,
  checkPolicy,
  conflictResponse,
  emit,
  IfMatchSchema,
  parseIfMatch,
  policyEditors,
  policyNotFoundResponse,
  unprocessableResponse,
} from './v1_policies_common.js';

export const PublishPolicyRequestSchema = z
  .object({
    notes: z.string().trim().max(2000).default('').openapi({ description: 'What changed and why; shown in the version list.' }),
  })
  .strict()
  .openapi('PublishPolicyRequest');

export const publishPolicyDraftRoute = createRoute({
  method: 'post',
  path: '/api/v1/policies/draft/publish',
  tags: POLICY_TAGS,
  summary: 'Publish the draft as the next version (IT leads)',
  description:
    'Creates version N+1 from the stored draft. Every ticket opened from then on runs on it; open tickets stay on their version unless migrated. ' +
    'A draft that fails validation is refused with 422 listing each issue; a draft identical to the newest version is refused with 409. ' +
    'Send `If-Match` with the lockVersion you reviewed to be sure you publish exactly that (409 if the draft changed since). Published versions never change.',
  security: [{ bearerAuth: [] }],
  middleware: [policyEditors] as const,
  request: {
    headers: z.object({ 'if-match': IfMatchSchema.optional() }),
    body: { required: false, content: { 'application/json': { schema: PublishPolicyRequestSchema } } },
  },
  responses: {
    201: { description: 'The new version', content: { 'application/json': { schema: PolicyVersionSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...policyNotFoundResponse,
    ...conflictResponse,
    ...unprocessableResponse,
  },
});

export function registerPublishPolicyDraft(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(publishPolicyDraftRoute, async (c) => {
    const deps = c.get('deps');
    const actor = c.get('actor');
    const body = c.req.valid('json') as Partial<z.infer<typeof PublishPolicyRequestSchema>>;
    const expected = parseIfMatch(c.req.valid('header')['if-match']);
    const outcome = await publishDraft(deps.sql, {
      publishedBy: actor.id,
      notes: body.notes ?? '',
      ...(expected !== undefined ? { expectedLockVersion: expected } : {}),
      check: checkPolicy,
      event: (v) => policyEvent('policy.published', actorRef(actor), { version: v.version, policyName: v.policy.name ?? null }),
    });
    switch (outcome.kind) {
      case 'no_draft':
        throw new AppError('NOT_FOUND', 'no draft has been saved yet; save one with PUT /api/v1/policies/draft');
      case 'stale':
        throw new AppError('CONFLICT', `the draft changed since you read it (now lockVersion ${outcome.lockVersion}); review it again before publishing`);
      case 'invalid':
        throw new AppError('UNPROCESSABLE', `the draft cannot be published: ${outcome.issues.length} issue(s)`, outcome.issues);
      case 'unchanged':
        throw new AppError('CONFLICT', `the draft is identical to version ${outcome.version}; nothing to publish`);
      case 'published':
        break;
    }
    await emit(deps, outcome.event);
    deps.logger.info({ version: outcome.version.version, by: actor.id }, 'escalation policy published');
    return c.json(outcome.version, 201, { location: `/api/v1/policies/versions/${outcome.version.version}` });
  });
}
