import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { getDraft } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { POLICY_TAGS, PolicyIssueSchema, checkPolicy, policyNotFoundResponse, policyReaders } from './v1_policies_common.js';

export const ValidatePolicyResponseSchema = z
  .object({ valid: z.boolean(), issues: z.array(PolicyIssueSchema) })
  .openapi('PolicyValidation');

export const validatePolicyDraftRoute = createRoute({
  method: 'post',
  path: '/api/v1/policies/draft/validate',
  tags: POLICY_TAGS,
  summary: 'Check a policy without saving it',
  description:
    'Checks the posted policy, or the stored draft when no body is sent, with every rule publishing applies (structure, then semantics: calendars, time zones, level order, …). ' +
    'Problems come back as `issues`, each naming its field by dotted path; the answer is 200 either way.',
  security: [{ bearerAuth: [] }],
  middleware: [policyReaders] as const,
  request: {
    body: {
      required: false,
      description: 'An EscalationPolicy to check. Omit the body to check the stored draft.',
      // Any JSON: a malformed policy is this endpoint's subject, reported as issues, not a 400.
      content: { 'application/json': { schema: z.unknown().openapi({ description: 'An EscalationPolicy (see that schema)' }) } },
    },
  },
  responses: {
    200: { description: 'The verdict and every issue found', content: { 'application/json': { schema: ValidatePolicyResponseSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...policyNotFoundResponse,
  },
});

export function registerValidatePolicyDraft(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(validatePolicyDraftRoute, async (c) => {
    let doc: unknown;
    // The validator only parses a body that declares JSON; without one, check the stored draft.
    if (c.req.header('content-type')) {
      doc = c.req.valid('json');
    } else {
      const draft = await getDraft(c.get('deps').sql);
      if (!draft) throw new AppError('NOT_FOUND', 'no draft has been saved yet; post a policy to check it');
      doc = draft.policy;
    }
    const { issues } = checkPolicy(doc);
    return c.json({ valid: issues.length === 0, issues }, 200);
  });
}
