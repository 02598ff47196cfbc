import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { publishedVersion } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { POLICY_TAGS, PolicyVersionSchema, VersionParamSchema, policyNotFoundResponse, policyReaders } from './v1_policies_common.js';

export const getPolicyVersionRoute = createRoute({
  method: 'get',
  path: '/api/v1/policies/versions/{version}',
  tags: POLICY_TAGS,
  summary: 'Read one published policy version',
  security: [{ bearerAuth: [] }],
  middleware: [policyReaders] as const,
  request: { params: VersionParamSchema },
  responses: {
    200: { description: 'The version, exactly as published', content: { 'application/json': { schema: PolicyVersionSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
    ...policyNotFoundResponse,
  },
});

export function registerGetPolicyVersion(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(getPolicyVersionRoute, async (c) => {
    const { version } = c.req.valid('param');
    const found = await publishedVersion(c.get('deps').sql, version);
    if (!found) throw new AppError('NOT_FOUND', `no published policy version ${version}`);
    // Immutable, so caches may keep it as long as they like.
    return c.json(found, 200, { 'cache-control': 'private, max-age=31536000, immutable' });
  });
}
