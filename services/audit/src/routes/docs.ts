import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { DOCS_CSP, serveOpenApiDocument } from '@tierline/platform';
import type { AuditAppEnv } from '../deps.js';

const require = createRequire(import.meta.url);
const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png']);
const TYPES: Record<string, string> = { css: 'text/css', js: 'text/javascript', png: 'image/png' };

export const AUDIT_OPENAPI_PATH = '/api/v1/audit/openapi.json';
export const AUDIT_DOCS_PATH = '/api/v1/audit/docs';

/**
 * OpenAPI document generated from the routes' zod schemas, and Swagger UI served from the npm
 * package (no CDN). Under /api/v1/audit, so the portal's one origin forwards it here and
 * /api/docs stays the ticket service's.
 */
export function registerDocs(app: OpenAPIHono<AuditAppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Keycloak access token of realm "tierline" with audience tierline-audit, of an IT lead or an auditor.',
  });
  serveOpenApiDocument(app, AUDIT_OPENAPI_PATH, {
    openapi: '3.1.0',
    info: {
      title: 'Tierline audit API',
      version: '1.0.0',
      description:
        'The append-only, hash-chained audit log: query, export, verify, signed checkpoints. Every call but the public key needs the token of an IT lead or an auditor.',
    },
    servers: [{ url: '/' }],
  });
  app.get(AUDIT_DOCS_PATH, (c) => {
    // The viewer needs scripts, styles and a fetch of the OpenAPI document; every other route keeps the strict API policy.
    c.header('Content-Security-Policy', DOCS_CSP);
    return c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tierline audit API</title>
<link rel="stylesheet" href="${AUDIT_DOCS_PATH}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="${AUDIT_DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${AUDIT_DOCS_PATH}/init.js"></script></body></html>`);
  });
  app.get(`${AUDIT_DOCS_PATH}/init.js`, (c) =>
    c.body(`window.ui = SwaggerUIBundle({ url: '${AUDIT_OPENAPI_PATH}', dom_id: '#swagger-ui' });`, 200, { 'content-type': 'text/javascript' }),
  );
  app.get(`${AUDIT_DOCS_PATH}/:asset`, async (c) => {
    const asset = c.req.param('asset');
    if (!ASSETS.has(asset)) return c.notFound();
    const body = await readFile(normalize(join(swaggerDir, asset)));
    return c.body(body, 200, { 'content-type': TYPES[asset.split('.').pop()!] ?? 'application/octet-stream', 'cache-control': 'public, max-age=3600' });
  });
}
