export { createAuditApp } from './app.js';
export { AUDIT_OPENAPI_PATH } from './routes/docs.js';
export type { AuditDeps, AuditAppEnv } from './deps.js';
export { startAuditConsumer, AUDIT_DURABLE } from './consumer.js';
export { appendEvent } from './store.js';
export { canonicalJson, chainHash, GENESIS_HASH } from './chain.js';
export { ChainVerifier, verifyRows, type ChainRow, type VerifyReport } from './verify.js';
export { verifyDatabase, createCheckpoint, latestCheckpoint } from './repo.js';
export { verifyExportFile } from './export-format.js';
export { createSigner, generateSigningKey, keyRing, parsePrivateKey, parsePublicKey, type AuditSigner, type SignedCheckpoint } from './signing.js';
export { createAuditSql } from './db.js';
export const AUDIT_MIGRATIONS_DIR = new URL('../migrations', import.meta.url);
export { migrateAudit, assertMigrated } from './migrations.js';
export {
  AUDIT_ANCHOR_STREAM,
  AUDIT_ANCHOR_SUBJECT,
  DEFAULT_MAX_UNANCHORED_MS,
  anchorLatest,
  anchorStreamConfig,
  createCheckpointAnchors,
  type AnchoredCheckpoint,
  type CheckpointAnchors,
} from './anchor.js';
export { startCheckpointer } from './checkpointer.js';
