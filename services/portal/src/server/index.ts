// What other packages (the browser tests) may use of the portal server: the app, its
// environment schema and where the built browser app lies.
export { createPortalApp, type PortalAppOptions } from './app.js';
export { portalEnvSchema, publicConfig, type PortalEnv } from './env.js';
/** The Vite build (`npm run build`); the same place from src/server and from dist/server. */
export const PORTAL_PUBLIC_DIR = new URL('../../dist/public', import.meta.url);
