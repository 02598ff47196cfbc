import { resolve } from 'node:path';
import type { Logger } from '@tierline/platform';
import type { AuditEnv } from './env.js';
import { createSigner, keyRing, loadOrCreateKeyFile, parsePrivateKey, parsePublicKey, type AuditSigner, type PublicKeyRing } from './signing.js';

/**
 * The checkpoint signer and the keys verify trusts. AUDIT_SIGNING_KEY is the production path
 * (the env schema requires it there); elsewhere, without it, the service generates a key once
 * into a file and keeps using it, so `npm run up` works out of the box and checkpoints survive
 * restarts, but it warns that a key kept next to the database is no independent witness.
 */
export function loadKeys(env: Pick<AuditEnv, 'AUDIT_SIGNING_KEY' | 'AUDIT_SIGNING_KEY_FILE' | 'AUDIT_RETIRED_PUBLIC_KEYS'>, logger: Logger): { signer: AuditSigner; publicKeys: PublicKeyRing } {
  let signer: AuditSigner;
  if (env.AUDIT_SIGNING_KEY) {
    signer = createSigner(parsePrivateKey(env.AUDIT_SIGNING_KEY));
  } else {
    const path = resolve(env.AUDIT_SIGNING_KEY_FILE);
    const { key, created } = loadOrCreateKeyFile(path);
    signer = createSigner(key);
    logger.warn(
      { path, keyId: signer.keyId, created },
      'AUDIT_SIGNING_KEY is not set: checkpoints are signed with a key generated into a local file. Set AUDIT_SIGNING_KEY from a secret store for a real deployment.',
    );
  }
  const retired = (env.AUDIT_RETIRED_PUBLIC_KEYS ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parsePublicKey);
  return { signer, publicKeys: keyRing([signer.publicKey, ...retired]) };
}
