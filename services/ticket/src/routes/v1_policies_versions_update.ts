import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';
import { publishedVersion } from '@tierline/ticket-store';
import { authErrorResponses, badRequestResponse } from './common.js';
import { POLICY_TAGS, VersionParamSchema, conflictResponse, policyEditors, policyNotFoundResponse } from './v1_policies_common.js';

/**
 * Published versions never change: a ticket runs on the version it was opened under and the audit
 * trail names versions by number. These routes exist so that an attempt gets a clear 409 (and is
 * documented) rather than a 404 or 405; the database refuses such a change too (a trigger on
 * policy_versions). To change the policy, edit the draft and publish a new version.
 */
const routeFor = (method: 'put' | 'patch' | 'delete') =>
  createRoute({
    method,
    path: '/api/v1/policies/versions/{version}',
    tags: POLICY_TAGS,
    summary: `${method.toUpperCase()} a published version: always refused`,
    description:
      'A published version is immutable; this always answers 409. Edit the draft (PUT /api/v1/policies/draft) and publish it as a new version instead.',
    security: [{ bearerAuth: [] }],
    middleware: [policyEditors] as const,
    request: { params: VersionParamSchema },
    responses: {
      ...badRequestResponse,
      ...authErrorResponses,
      ...policyNotFoundResponse,
      ...conflictResponse,
    },
  });

export const putPolicyVersionRoute = routeFor('put');
export const patchPolicyVersionRoute = routeFor('patch');
export const deletePolicyVersionRoute = routeFor('delete');

export function registerRefusePolicyVersionChanges(app: OpenAPIHono<TicketAppEnv>): void {
  for (const route of [putPolicyVersionRoute, patchPolicyVersionRoute, deletePolicyVersionRoute]) {
    app.openapi(route, async (c) => {
      const { version } = c.req.valid('param');
      if (!(await publishedVersion(c.get('deps').sql, version))) throw new AppError('NOT_FOUND', `no published policy version ${version}`);
      throw new AppError('CONFLICT', `version ${version} is published and cannot change; edit the draft and publish a new version`);
    });
  }
}
