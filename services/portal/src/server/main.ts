import { fileURLToPath } from 'node:url';
import { createLogger, initTracing, listen, onShutdown, parseEnv } from '@tierline/platform';
import { portalEnvSchema, publicConfig } from './env.js';
import { createPortalApp } from './app.js';

const env = parseEnv(portalEnvSchema);
const logger = createLogger('portal', env.LOG_LEVEL);
// Spans to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT (docs/observability.md); off without one.
const tracing = initTracing('portal');
// Compiled layout: dist/server/main.js beside dist/public.
const publicDir = env.PORTAL_PUBLIC_DIR ?? fileURLToPath(new URL('../public', import.meta.url));

const app = createPortalApp({ env, logger, publicDir });
const server = await listen(app, env.PORT, env.HOST);
const { keycloakUrl, realm } = publicConfig(env);
logger.info({ port: server.port, host: env.HOST, keycloakUrl, realm }, 'portal listening');
onShutdown(logger, async () => {
  await server.close();
  await tracing.shutdown();
});
