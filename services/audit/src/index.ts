export { createAuditApp } from './app.js';
export { startAuditConsumer, AUDIT_DURABLE } from './consumer.js';
export { appendEvent } from './store.js';
export { canonicalJson, chainHash, GENESIS_HASH } from './chain.js';
export const AUDIT_MIGRATIONS_DIR = new URL('../migrations', import.meta.url);
