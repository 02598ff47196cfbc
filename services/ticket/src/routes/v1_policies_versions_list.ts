import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { TicketAppEnv } from '../deps.js';
import { listVersions } from '@tierline/ticket-store';
import { authErrorResponses } from './common.js';
import { POLICY_TAGS, policyReaders } from './v1_policies_common.js';

export const PolicyVersionSummarySchema = z
  .object({
    version: z.number().int().positive(),
    name: z.string().nullable(),
    publishedBy: z.string(),
    publishedAt: z.iso.datetime({ offset: true }),
    notes: z.string(),
  })
  .openapi('PolicyVersionSummary');

export const PolicyVersionListSchema = z
  .object({
    items: z.array(PolicyVersionSummarySchema).openapi({ description: 'Newest first.' }),
    latest: z.number().int().positive().nullable().openapi({ description: 'The version new tickets run on.' }),
  })
  .openapi('PolicyVersionList');

export const listPolicyVersionsRoute = createRoute({
  method: 'get',
  path: '/api/v1/policies/versions',
  tags: POLICY_TAGS,
  summary: 'List published policy versions',
  security: [{ bearerAuth: [] }],
  middleware: [policyReaders] as const,
  responses: {
    200: { description: 'Every published version, newest first', content: { 'application/json': { schema: PolicyVersionListSchema } } },
    ...authErrorResponses,
  },
});

export function registerListPolicyVersions(app: OpenAPIHono<TicketAppEnv>): void {
  app.openapi(listPolicyVersionsRoute, async (c) => {
    // One clinic-wide line of versions: a handful a year, so no paging.
    const items = await listVersions(c.get('deps').sql);
    return c.json({ items, latest: items[0]?.version ?? null }, 200);
  });
}
