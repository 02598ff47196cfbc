import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import { createVendorLinkKeys, parseSigningKey, VENDOR_LINK_AUDIENCE, VENDOR_LINK_ISSUER, VENDOR_LINK_TYP, type VendorLinkClaims } from './vendor-link-keys.js';

const ed = () => generateKeyPairSync('ed25519').privateKey;
const now = () => Math.floor(Date.now() / 1000);
const claims = (over: Partial<VendorLinkClaims> = {}): VendorLinkClaims => ({
  jti: randomUUID(),
  sub: 'b2c3d4e5-vendor-user',
  tid: randomUUID(),
  lvl: 1,
  org: 'acme-it',
  iat: now(),
  exp: now() + 3600,
  ...over,
});

/** Changes one character of part `i` (0 header, 1 payload, 2 signature) of a compact JWS. */
function flip(token: string, i: number): string {
  const parts = token.split('.');
  const p = parts[i]!;
  const at = Math.floor(p.length / 2);
  parts[i] = p.slice(0, at) + (p[at] === 'A' ? 'B' : 'A') + p.slice(at + 1);
  return parts.join('.');
}

describe('vendor link tokens', () => {
  it('signs the same claims to the same token, and verifies it with the published JWKS alone', async () => {
    const keys = await createVendorLinkKeys(ed());
    const c = claims();
    const token = await keys.sign(c);
    expect(await keys.sign({ ...c }), 'Ed25519 is deterministic: a redelivery gets the same link').toBe(token);
    expect(await keys.verify(token)).toEqual({ ok: true, claims: c });

    expect(keys.jwks.keys).toHaveLength(1);
    expect(keys.jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: keys.kid });
    expect(keys.jwks.keys[0], 'never the private part').not.toHaveProperty('d');
    const offline = await jwtVerify(token, createLocalJWKSet(keys.jwks), { algorithms: ['EdDSA'], issuer: VENDOR_LINK_ISSUER, audience: VENDOR_LINK_AUDIENCE });
    expect(offline.protectedHeader).toMatchObject({ alg: 'EdDSA', typ: VENDOR_LINK_TYP, kid: keys.kid });
    expect(offline.payload).toMatchObject({ jti: c.jti, sub: c.sub, tid: c.tid, lvl: 1, org: 'acme-it' });
  });

  it('refuses a changed header, payload or signature as tampered', async () => {
    const keys = await createVendorLinkKeys(ed());
    const token = await keys.sign(claims());
    for (const part of [0, 1, 2]) expect(await keys.verify(flip(token, part)), `part ${part}`).toEqual({ ok: false, reason: 'tampered' });
    expect(await keys.verify(token.split('.').slice(0, 2).join('.')), 'cut short').toEqual({ ok: false, reason: 'tampered' });
    expect(await keys.verify('not-a-token')).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuses tokens of another key, `alg: none`, HS256, another audience or type', async () => {
    const keys = await createVendorLinkKeys(ed());
    const other = await createVendorLinkKeys(ed(), keys.kid);
    expect(await keys.verify(await other.sign(claims())), 'same kid, other key').toEqual({ ok: false, reason: 'tampered' });
    const c = claims();
    const none = new UnsecuredJWT({ ...c, iss: VENDOR_LINK_ISSUER, aud: VENDOR_LINK_AUDIENCE }).encode();
    expect(await keys.verify(none)).toEqual({ ok: false, reason: 'tampered' });
    const hs = await new SignJWT({ ...c, iss: VENDOR_LINK_ISSUER, aud: VENDOR_LINK_AUDIENCE }).setProtectedHeader({ alg: 'HS256', typ: VENDOR_LINK_TYP, kid: keys.kid }).sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await keys.verify(hs)).toEqual({ ok: false, reason: 'tampered' });
    const key = ed();
    const sameKey = await createVendorLinkKeys(key);
    const otherAud = await new SignJWT({ ...c, iss: VENDOR_LINK_ISSUER, aud: 'tierline-ticket' }).setProtectedHeader({ alg: 'EdDSA', typ: VENDOR_LINK_TYP, kid: sameKey.kid }).sign(key);
    expect(await sameKey.verify(otherAud), 'signed by us for something else').toEqual({ ok: false, reason: 'tampered' });
    const otherTyp = await new SignJWT({ ...c, iss: VENDOR_LINK_ISSUER, aud: VENDOR_LINK_AUDIENCE }).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: sameKey.kid }).sign(key);
    expect(await sameKey.verify(otherTyp)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('tells an expired link (with its claims, which are ours) from a tampered one', async () => {
    const keys = await createVendorLinkKeys(ed());
    const c = claims({ iat: now() - 7200, exp: now() - 60 });
    const token = await keys.sign(c);
    expect(await keys.verify(token)).toEqual({ ok: false, reason: 'expired', claims: c });
    expect(await keys.verify(flip(token, 2))).toEqual({ ok: false, reason: 'tampered' });
  });

  it('reads the key as PKCS8 PEM, base64 of it, or a private JWK, and refuses a key that is not Ed25519', async () => {
    const key = ed();
    const pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    const kid = (await createVendorLinkKeys(key)).kid;
    for (const text of [pem, Buffer.from(pem).toString('base64'), JSON.stringify(key.export({ format: 'jwk' }))]) {
      expect((await createVendorLinkKeys(parseSigningKey(text))).kid).toBe(kid);
    }
    expect(() => parseSigningKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(/must be an Ed25519 key, not ec/);
    expect(() => parseSigningKey('garbage')).toThrow(/VENDOR_LINK_SIGNING_KEY is not a PKCS8 PEM or private JWK/);
    expect((await createVendorLinkKeys(key, 'link-key-2026')).jwks.keys[0]!.kid).toBe('link-key-2026');
  });
});
