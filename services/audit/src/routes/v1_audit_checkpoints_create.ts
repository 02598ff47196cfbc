import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError, hasRole } from '@tierline/platform';
import type { AuditAppEnv } from '../deps.js';
import { anchorLatest } from '../anchor.js';
import { createCheckpoint } from '../repo.js';
import { authErrorResponses, checkpointJson, CheckpointSchema } from './common.js';

export const createCheckpointRoute = createRoute({
  method: 'post',
  path: '/api/v1/audit/checkpoints',
  tags: ['Audit'],
  summary: 'Sign the chain head now (IT leads)',
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
    // Auditors only read: signing a checkpoint writes to the log's tables, so it is an IT lead's
    // (the checkpointer signs periodically anyway, and exports carry the latest checkpoint).
    if (!hasRole(c.get('actor'), 'it_lead')) throw new AppError('FORBIDDEN', 'only IT leads sign checkpoints on demand; auditors read the log');
    const { sql, signer, logger, anchors } = c.get('deps');
    const { checkpoint, created } = await createCheckpoint(sql, signer);
    if (created && checkpoint) logger.info({ seq: checkpoint.seq, checkpointId: checkpoint.id, by: c.get('actor').id }, 'audit checkpoint signed on demand');
    // Kept outside the database at once; the checkpointer retries if NATS is away.
    if (anchors) await anchorLatest(sql, anchors, logger).catch((err: unknown) => logger.warn({ err }, 'audit checkpoint anchoring failed'));
    return c.json({ checkpoint: checkpoint ? checkpointJson(checkpoint) : null, created }, 200);
  });
}
