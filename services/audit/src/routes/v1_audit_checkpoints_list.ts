import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AuditAppEnv } from '../deps.js';
import { listCheckpoints } from '../repo.js';
import { authErrorResponses, badRequestResponse, checkpointJson, CheckpointSchema } from './common.js';

export const listCheckpointsRoute = createRoute({
  method: 'get',
  path: '/api/v1/audit/checkpoints',
  tags: ['Audit'],
  summary: 'Latest signed checkpoints',
  description: 'Newest first. Keep copies elsewhere: passed back to verify as anchors, they prove the log was not cut short since.',
  security: [{ bearerAuth: [] }],
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(20) }) },
  responses: {
    200: { description: 'Checkpoints', content: { 'application/json': { schema: z.object({ items: z.array(CheckpointSchema) }) } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

export function registerListCheckpoints(app: OpenAPIHono<AuditAppEnv>): void {
  app.openapi(listCheckpointsRoute, async (c) => {
    const items = await listCheckpoints(c.get('deps').sql, c.req.valid('query').limit);
    return c.json({ items: items.map(checkpointJson) }, 200);
  });
}
