export { createIdentityApp } from './app.js';
export { identityEnvSchema } from './env.js';
export type { IdentityDeps } from './deps.js';
export { createKeycloakAdmin, type KeycloakAdmin } from './keycloak-admin.js';
export { startDirectorySync, syncDirectory } from './directory.js';
export const IDENTITY_MIGRATIONS_DIR = new URL('../migrations', import.meta.url);
