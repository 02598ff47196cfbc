export { createIdentityApp } from './app.js';
export { identityEnvSchema } from './env.js';
export const IDENTITY_MIGRATIONS_DIR = new URL('../migrations', import.meta.url);
