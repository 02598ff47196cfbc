import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AuditAppEnv } from '../deps.js';
import { AppError } from '@tierline/platform';
import { DEFAULT_MAX_UNANCHORED_MS } from '../anchor.js';
import { verifyDatabase, type OutsideAnchor } from '../repo.js';
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
    'Recomputes every row hash and link, checks every checkpoint signature, that each checkpoint matches the row it covers, and that no signed row is missing from the end. Also compares the newest checkpoint kept outside the database (the append-only JetStream stream) with the database, and reports rows older than the checkpoint interval allows that no anchored checkpoint covers. Reports the first row that cannot be trusted. A broken chain is still a 200: the report is the answer.',
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
    const { sql, publicKeys, anchors, maxUnanchoredMs } = c.get('deps');
    const body = c.req.valid('json') as z.infer<typeof VerifyAuditRequestSchema> | undefined;
    let outside: OutsideAnchor | undefined;
    if (anchors) {
      // Without the copy kept outside, a rewritten tail would verify: no report rather than a false "intact".
      const newest = await anchors.newest().catch((err: unknown) => {
        throw new AppError('UNAVAILABLE', `the anchored checkpoints (JetStream) cannot be read, so the log cannot be verified: ${(err as Error).message}`);
      });
      outside = { newest, maxUnanchoredMs: maxUnanchoredMs ?? DEFAULT_MAX_UNANCHORED_MS };
    }
    const report = await verifyDatabase(sql, { publicKeys, anchors: body?.anchors ?? [], ...(outside ? { outside } : {}) });
    return c.json(report, 200);
  });
}
