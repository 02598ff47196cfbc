import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkSignature,
  createSigner,
  generateSigningKey,
  keyRing,
  loadOrCreateKeyFile,
  parsePrivateKey,
  parsePublicKey,
  privateKeyPem,
  publicKeyPem,
} from './signing.js';

const body = { seq: 42, hash: 'ab'.repeat(32), signedAt: '2025-01-01T00:00:00.000Z' };

describe('checkpoint signatures', () => {
  it('verify under the signing key, and fail when any signed field changes', () => {
    const signer = createSigner(generateSigningKey());
    const ring = keyRing([signer.publicKey]);
    const cp = signer.sign(body);
    expect(checkSignature(cp, ring)).toBe('valid');
    expect(checkSignature({ ...cp, seq: 43 }, ring)).toBe('invalid');
    expect(checkSignature({ ...cp, hash: 'cd'.repeat(32) }, ring)).toBe('invalid');
    expect(checkSignature({ ...cp, signedAt: '2025-01-01T00:00:00.001Z' }, ring)).toBe('invalid');
    expect(checkSignature({ ...cp, signature: 'not base64 at all' }, ring)).toBe('invalid');
    expect(checkSignature(cp, keyRing([generateSigningKey()]))).toBe('unknown-key');
  });
});

describe('key formats', () => {
  const key = generateSigningKey();
  const signer = createSigner(key);
  const pem = privateKeyPem(key);

  it('reads a private key as PEM, base64 of PEM and base64 of DER, all the same key', () => {
    const der = key.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    for (const form of [pem, Buffer.from(pem).toString('base64'), der]) {
      expect(createSigner(parsePrivateKey(form)).keyId).toBe(signer.keyId);
    }
  });

  it('reads a public key as PEM, JWK, the public-key endpoint JSON, base64 DER, or from a private PEM', () => {
    const jwk = signer.publicKey.export({ format: 'jwk' });
    const forms = [
      publicKeyPem(signer.publicKey),
      JSON.stringify(jwk),
      JSON.stringify({ keyId: signer.keyId, pem: publicKeyPem(signer.publicKey), jwk }),
      signer.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      pem,
    ];
    for (const form of forms) expect(keyRing([parsePublicKey(form)]).has(signer.keyId), form.slice(0, 40)).toBe(true);
  });

  it('refuses a key that is not Ed25519', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    expect(() => createSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toThrow(/must be Ed25519/);
  });
});

describe('development key file', () => {
  it('is created once with mode 0600 and reused afterwards', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'audit-key-')), 'nested', 'signing-key.pem');
    const first = loadOrCreateKeyFile(path);
    expect(first.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = loadOrCreateKeyFile(path);
    expect(second.created).toBe(false);
    expect(createSigner(second.key).keyId).toBe(createSigner(first.key).keyId);
    expect(readFileSync(path, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
  });
});
