import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { DOCS_CSP, serveOpenApiDocument } from '@tierline/platform';
import type { TicketAppEnv } from '../deps.js';

const require = createRequire(import.meta.url);
const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png']);
const TYPES: Record<string, string> = { css: 'text/css', js: 'text/javascript', png: 'image/png' };

/**
 * Every service's OpenAPI document, at the path the portal forwards to that service: the API docs
 * page (/api/docs, reached through the portal) offers each of them.
 */
export const API_DOCUMENTS = [
  { name: 'Tickets, policies, assignment (ticket service)', url: '/api/v1/openapi.json' },
  { name: 'Identity, directory, vendor links (identity service)', url: '/api/v1/identity/openapi.json' },
  { name: 'Notifications (notification service)', url: '/api/v1/notifications/openapi.json' },
  { name: 'Audit log (audit service)', url: '/api/v1/audit/openapi.json' },
] as const;

/**
 * OpenAPI document generated from the routes' zod schemas, and Swagger UI served from the
 * npm package itself (no CDN), at /api/docs.
 */
export function registerDocs(app: OpenAPIHono<TicketAppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Keycloak access token of realm "tierline" with audience tierline-ticket.',
  });
  serveOpenApiDocument(app, '/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Tierline ticket API',
      version: '1.0.0',
      description: 'Tickets of the clinic IT escalation system. Every call needs a Keycloak access token.',
    },
    servers: [{ url: '/' }],
  });
  app.get('/api/docs', (c) => {
    // The viewer needs scripts, styles and a fetch of the OpenAPI document; every other route keeps the strict API policy.
    c.header('Content-Security-Policy', DOCS_CSP);
    return c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tierline API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/swagger-ui-standalone-preset.js"></script>
<script src="/api/docs/init.js"></script></body></html>`);
  });
  app.get('/api/docs/init.js', (c) =>
    c.body(
      `window.ui = SwaggerUIBundle({ urls: ${JSON.stringify(API_DOCUMENTS)}, 'urls.primaryName': ${JSON.stringify(API_DOCUMENTS[0].name)}, ` +
        `dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });`,
      200,
      { 'content-type': 'text/javascript' },
    ),
  );
  app.get('/api/docs/:asset', async (c) => {
    const asset = c.req.param('asset');
    if (!ASSETS.has(asset)) return c.notFound();
    const body = await readFile(normalize(join(swaggerDir, asset)));
    return c.body(body, 200, { 'content-type': TYPES[asset.split('.').pop()!] ?? 'application/octet-stream', 'cache-control': 'public, max-age=3600' });
  });
}
