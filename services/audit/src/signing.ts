import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What a checkpoint signs: the chain head at one moment. */
export interface CheckpointBody {
  seq: number;
  hash: string;
  /** ISO-8601 UTC with milliseconds, exactly as signed. */
  signedAt: string;
}

export interface SignedCheckpoint extends CheckpointBody {
  /** Which key signed (see keyIdOf). */
  keyId: string;
  /** Base64 Ed25519 signature over checkpointMessage(body). */
  signature: string;
  /** Row id in audit_checkpoints, when it came from there. */
  id?: number;
}

/**
 * The exact bytes signed. Versioned and domain-separated, so a signature made for anything else
 * with the same key can never pass as a checkpoint.
 */
export function checkpointMessage(cp: CheckpointBody): Buffer {
  return Buffer.from(`tierline-audit-checkpoint/v1\n${cp.seq}\n${cp.hash}\n${cp.signedAt}`, 'utf8');
}

/** First 16 hex digits of SHA-256 over the public key's SPKI DER: short, stable, collision-safe enough to pick a key. */
export function keyIdOf(key: KeyObject): string {
  return createHash('sha256').update(asPublic(key).export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

function asPublic(key: KeyObject): KeyObject {
  return key.type === 'private' ? createPublicKey(key) : key;
}

export interface AuditSigner {
  keyId: string;
  publicKey: KeyObject;
  sign(body: CheckpointBody): SignedCheckpoint;
}

export function createSigner(privateKey: KeyObject): AuditSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`audit signing key must be Ed25519, not ${privateKey.asymmetricKeyType ?? 'unknown'}`);
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  return {
    keyId,
    publicKey,
    sign: (body) => ({
      seq: body.seq,
      hash: body.hash,
      signedAt: body.signedAt,
      keyId,
      signature: sign(null, checkpointMessage(body), privateKey).toString('base64'),
    }),
  };
}

export function generateSigningKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** Accepts a PKCS8 PEM, or base64 of either a PKCS8 PEM or PKCS8 DER (one line fits an env var). */
export function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return createPrivateKey(trimmed);
  const raw = Buffer.from(trimmed, 'base64');
  const asText = raw.toString('utf8');
  if (asText.startsWith('-----BEGIN')) return createPrivateKey(asText);
  return createPrivateKey({ key: raw, format: 'der', type: 'pkcs8' });
}

/**
 * Accepts an SPKI PEM, a JWK (JSON), base64 of an SPKI DER, or a private key (whose public half
 * is used), so an operator can hand over whichever form they have.
 */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as { jwk?: object } & Record<string, unknown>;
    // The public-key endpoint's JSON carries the key as `jwk` and `pem`.
    if (typeof parsed['pem'] === 'string') return parsePublicKey(parsed['pem']);
    return createPublicKey({ key: (parsed.jwk ?? parsed) as never, format: 'jwk' });
  }
  if (trimmed.includes('PRIVATE KEY')) return createPublicKey(createPrivateKey(trimmed));
  if (trimmed.startsWith('-----BEGIN')) return createPublicKey(trimmed);
  const raw = Buffer.from(trimmed, 'base64');
  if (raw.toString('utf8').startsWith('-----BEGIN')) return parsePublicKey(raw.toString('utf8'));
  return createPublicKey({ key: raw, format: 'der', type: 'spki' });
}

/** Public keys by key id: the current key plus retired ones whose old checkpoints still count. */
export type PublicKeyRing = Map<string, KeyObject>;

export function keyRing(keys: KeyObject[]): PublicKeyRing {
  return new Map(keys.map((k) => [keyIdOf(k), asPublic(k)]));
}

export type SignatureCheck = 'valid' | 'unknown-key' | 'invalid';

export function checkSignature(cp: SignedCheckpoint, ring: PublicKeyRing): SignatureCheck {
  const key = ring.get(cp.keyId);
  if (!key) return 'unknown-key';
  try {
    return verify(null, checkpointMessage(cp), key, Buffer.from(cp.signature, 'base64')) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

/**
 * Reads the key file, or creates it (mode 0600) when missing. Used when AUDIT_SIGNING_KEY is not
 * set, so a developer's checkpoints stay verifiable across restarts.
 */
export function loadOrCreateKeyFile(path: string): { key: KeyObject; created: boolean } {
  try {
    return { key: parsePrivateKey(readFileSync(path, 'utf8')), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = generateSigningKey();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, privateKeyPem(key), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another replica created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: parsePrivateKey(readFileSync(path, 'utf8')), created: false };
    throw err;
  }
  return { key, created: true };
}
