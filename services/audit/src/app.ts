import type { OpenAPIHono } from '@hono/zod-openapi';
import { AppError, createServiceApp, hasRole, limitOperations, rateLimit, requireAuth, type ReadinessCheck } from '@tierline/platform';
import type { AuditAppEnv, AuditDeps } from './deps.js';
import { AUDIT_DOCS_PATH, AUDIT_OPENAPI_PATH, registerDocs } from './routes/docs.js';
import { registerCreateCheckpoint } from './routes/v1_audit_checkpoints_create.js';
import { registerListCheckpoints } from './routes/v1_audit_checkpoints_list.js';
import { registerListAuditEvents } from './routes/v1_audit_events_list.js';
import { registerExportAudit } from './routes/v1_audit_export.js';
import { registerPublicKey } from './routes/v1_audit_public_key.js';
import { registerVerifyAudit } from './routes/v1_audit_verify.js';

export const PUBLIC_KEY_PATH = '/api/v1/audit/public-key';

/** Paths anyone may read: the API description and the public key exports are verified with. */
function isPublic(path: string): boolean {
  return path === AUDIT_OPENAPI_PATH || path === PUBLIC_KEY_PATH || path === AUDIT_DOCS_PATH || path.startsWith(`${AUDIT_DOCS_PATH}/`);
}

/** Builds the audit service's HTTP app around the dependencies it is given. */
export function createAuditApp(deps: AuditDeps): OpenAPIHono<AuditAppEnv> {
  const readiness: Record<string, ReadinessCheck> = { postgres: () => deps.sql`select 1` };
  const nc = deps.nc;
  if (nc) {
    readiness['nats'] = async () => {
      if (nc.isClosed()) throw new Error('connection closed');
      await nc.flush();
    };
  }
  const app = createServiceApp<AuditAppEnv>({ name: 'audit', logger: deps.logger, readiness, ...(deps.metrics ? { metrics: deps.metrics } : {}) });
  app.use('/api/v1/audit/*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use('/api/v1/audit/*', async (c, next) => {
    if (isPublic(c.req.path)) return next();
    return requireAuth<AuditAppEnv>(deps.verifyToken)(c, next);
  });
  // The audit log is for IT leads and auditors only (architecture, roles table).
  app.use('/api/v1/audit/*', async (c, next) => {
    if (isPublic(c.req.path)) return next();
    if (!hasRole(c.get('actor'), 'it_lead', 'auditor')) throw new AppError('FORBIDDEN', 'the audit log is open to IT leads and auditors only');
    await next();
  });
  // Export and verify read and hash the whole log: limited per actor so that one session cannot
  // keep the database busy.
  const heavy = rateLimit({ name: 'audit export and verify', max: deps.exportRateLimitPerMinute ?? 30, windowMs: 60_000 });
  limitOperations(app, heavy, [
    { method: 'get', path: '/api/v1/audit/export' },
    { method: 'post', path: '/api/v1/audit/verify' },
  ]);

  // Audit log
  registerListAuditEvents(app);
  registerExportAudit(app);
  registerVerifyAudit(app);
  // Checkpoints and their key
  registerListCheckpoints(app);
  registerCreateCheckpoint(app);
  registerPublicKey(app);

  registerDocs(app);
  return app;
}
