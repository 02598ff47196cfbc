import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AuditAppEnv } from '../deps.js';
import { createCheckpoint } from '../repo.js';
import { authErrorResponses, checkpointJson, CheckpointSchema } from './common.js';

export const createCheckpointRoute = createRoute({
  method: 'post',
  path: '/api/v1/audit/checkpoints',
  tags: ['Audit'],
  summary: 'Sign the chain head now',
  description: 'On demand, besides the periodic ones. When nothing was appended since the last checkpoint, that one is returned (`created: false`); null when the log is empty.',
  security: [{ bearerAuth: [] }],
  responses: {
    200: {
      description: 'The checkpoint covering the current head',
      content: { 'application/json': { schema: z.object({ checkpoint: CheckpointSchema.nullable(), created: z.boolean() }) } },
    },
    ...authErrorResponses,
  },
});

export function registerCreateCheckpoint(app: OpenAPIHono<AuditAppEnv>): void {
  app.openapi(createCheckpointRoute, async (c) => {
    const { sql, signer, logger } = c.get('deps');
    const { checkpoint, created } = await createCheckpoint(sql, signer);
    if (created && checkpoint) logger.info({ seq: checkpoint.seq, checkpointId: checkpoint.id, by: c.get('actor').id }, 'audit checkpoint signed on demand');
    return c.json({ checkpoint: checkpoint ? checkpointJson(checkpoint) : null, created }, 200);
  });
}
