import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AuditAppEnv } from '../deps.js';
import { verifyDatabase } from '../repo.js';
import { authErrorResponses, badRequestResponse, CheckpointSchema, VerifyReportSchema } from './common.js';

export const VerifyAuditRequestSchema = z
  .object({
    anchors: z
      .array(CheckpointSchema)
      .max(1000)
      .optional()
      .openapi({ description: 'Checkpoints kept outside this database (e.g. from earlier exports). They catch a tail that was cut off together with its checkpoints.' }),
  })
  .openapi('AuditVerifyRequest');

export const verifyAuditRoute = createRoute({
  method: 'post',
  path: '/api/v1/audit/verify',
  tags: ['Audit'],
  summary: 'Verify the hash chain and its signed checkpoints',
  description:
    'Recomputes every row hash and link, checks every checkpoint signature, that each checkpoint matches the row it covers, and that no signed row is missing from the end. Reports the first row that cannot be trusted. A broken chain is still a 200: the report is the answer.',
  security: [{ bearerAuth: [] }],
  request: { body: { required: false, content: { 'application/json': { schema: VerifyAuditRequestSchema } } } },
  responses: {
    200: { description: 'Verification report', content: { 'application/json': { schema: VerifyReportSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

export function registerVerifyAudit(app: OpenAPIHono<AuditAppEnv>): void {
  app.openapi(verifyAuditRoute, async (c) => {
    const { sql, publicKeys } = c.get('deps');
    const body = c.req.valid('json') as z.infer<typeof VerifyAuditRequestSchema> | undefined;
    const report = await verifyDatabase(sql, { publicKeys, anchors: body?.anchors ?? [] });
    return c.json(report, 200);
  });
}
