export * from './env.js';
export * from './db.js';
export * from './keycloak.js';
export * from './demo-users.js';
export * from './forged.js';
export * from './temporal.js';
export * from './openapi.js';
export * from './test-users.js';
