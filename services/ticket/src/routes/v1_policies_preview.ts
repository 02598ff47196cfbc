import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { PolicyPreviewRequestSchema, PolicyPreviewSchema } from '@tierline/contracts';
import { AppError, zodIssuesToDetails } from '@tierline/platform';
import { previewEscalation, validatePolicy } from '@tierline/domain';
import type { TicketAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse } from './common.js';
import { POLICY_TAGS, policyReaders, unprocessableResponse } from './v1_policies_common.js';

export const previewPolicyRoute = createRoute({
  method: 'post',
  path: '/api/v1/policies/preview',
  tags: POLICY_TAGS,
  summary: 'What a policy would do to a ticket nobody touches',
  description:
    'Every step the posted policy (typically the unsaved draft) would take for a ticket of this priority and category opened at `openedAt` (default now) ' +
    'that nobody acknowledges or resolves: warnings, targets and escalation levels with their repeats, each at its real wall-clock instant on the rule’s calendar. ' +
    'Computed by the same escalation rules the ticket workflow runs. A policy that fails validation is refused with 422 listing each issue by its path in the policy, ' +
    'as `/api/v1/policies/draft/validate` names them. Same access as that check.',
  security: [{ bearerAuth: [] }],
  middleware: [policyReaders] as const,
  request: { body: { required: true, content: { 'application/json': { schema: PolicyPreviewRequestSchema } } } },
  responses: {
    200: { description: 'The steps, in time order', content: { 'application/json': { schema: PolicyPreviewSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...unprocessableResponse,
  },
});

const refuse = (issues: { path: string; message: string }[]): never => {
  throw new AppError('UNPROCESSABLE', `the policy cannot be previewed: ${issues.length} issue(s)`, issues);
};

export function registerPreviewPolicy(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(
    previewPolicyRoute,
    (c) => {
      const body = c.req.valid('json');
      const issues = validatePolicy(body.policy);
      if (issues.length > 0) refuse(issues);
      const openedAt = body.openedAt ? Date.parse(body.openedAt) : Date.now();
      const preview = previewEscalation(body.policy, body.priority, body.category, openedAt);
      if (!preview) refuse([{ path: 'rules', message: `no rule applies to ${body.priority}${body.category ? ` tickets of category "${body.category}"` : ''}` }]);
      return c.json(preview!, 200);
    },
    (result) => {
      if (result.success) return undefined;
      // A policy that is structurally wrong is this endpoint's 422, named by its path in the
      // policy as the draft check names it; anything else wrong with the request is a 400.
      const issues = result.error.issues;
      if (issues.every((i) => i.path[0] === 'policy' && i.path.length > 1)) {
        refuse(issues.map((i) => ({ path: i.path.slice(1).map(String).join('.'), message: i.message })));
      }
      const details = zodIssuesToDetails(issues);
      throw new AppError('BAD_REQUEST', `invalid request in json: ${details.map((d) => d.path).join(', ')}`, details);
    },
  );
}
