import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, errors as joseErrors, jwtVerify, SignJWT, type JWK } from 'jose';
import { z } from 'zod';
import type { Logger, Sql } from '@tierline/platform';

/**
 * Who signs links, and for what. One Ed25519 key signs every kind of link Tierline hands out
 * without a login (vendor acknowledgements, the requester's "Fixed" / "Not fixed"); each kind is
 * a purpose with its own audience, JWS type and claims, so a token signed for one purpose never
 * passes as another.
 */
export const LINK_ISSUER = 'tierline-identity';
/** Kept under its first name: the vendor links' documentation and offline checkers use it. */
export const VENDOR_LINK_ISSUER = LINK_ISSUER;

export interface LinkPurpose<C extends Record<string, unknown>> {
  audience: string;
  /** Explicit JWS type (RFC 8725 §3.11), checked on verification. */
  typ: string;
  /** The claims besides iss and aud; written into the token in the schema's key order. */
  claims: z.ZodType<C>;
}

/** What a vendor link token says. `jti` is the vendor_links row; the rest must match that row. */
export const VendorLinkClaimsSchema = z.object({
  jti: z.uuid(),
  sub: z.string().min(1),
  tid: z.uuid(),
  lvl: z.number().int().nonnegative().nullable(),
  org: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type VendorLinkClaims = z.infer<typeof VendorLinkClaimsSchema>;

export const VENDOR_LINK: LinkPurpose<VendorLinkClaims> = { audience: 'tierline-vendor-link', typ: 'vendor-link+jwt', claims: VendorLinkClaimsSchema };
export const VENDOR_LINK_AUDIENCE = VENDOR_LINK.audience;
export const VENDOR_LINK_TYP = VENDOR_LINK.typ;

export type Verified<C> =
  | { ok: true; claims: C }
  /** Signed by us and intact, but past `exp`: the claims are trustworthy, the link is not usable. */
  | { ok: false; reason: 'expired'; claims: C }
  /** Anything that is not an intact link of this purpose signed with our key: nothing in it can be believed. */
  | { ok: false; reason: 'tampered' };
export type VerifiedLink = Verified<VendorLinkClaims>;

/** Signs and verifies the links of one purpose. */
export interface LinkSigner<C> {
  sign(claims: C): Promise<string>;
  verify(token: string): Promise<Verified<C>>;
}

/** The link key: the vendor links' signer itself (its first purpose), and a signer for any other purpose. */
export interface VendorLinkKeys extends LinkSigner<VendorLinkClaims> {
  kid: string;
  /** The public key as a JWK Set, served at /api/v1/vendor-links/jwks.json. */
  jwks: { keys: JWK[] };
  signer<C extends Record<string, unknown>>(purpose: LinkPurpose<C>): LinkSigner<C>;
}

/**
 * Reads VENDOR_LINK_SIGNING_KEY: a PKCS8 PEM, base64 of one (fits a one-line variable), or a
 * private JWK (JSON). It must be an Ed25519 key.
 */
export function parseSigningKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith('{')) key = createPrivateKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' });
    else if (trimmed.startsWith('-----BEGIN')) key = createPrivateKey(trimmed);
    else key = createPrivateKey(Buffer.from(trimmed, 'base64').toString('utf8'));
  } catch (err) {
    throw new Error(`VENDOR_LINK_SIGNING_KEY is not a PKCS8 PEM or private JWK: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`VENDOR_LINK_SIGNING_KEY must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

/** Signs and verifies links with one Ed25519 key. `kid` defaults to the RFC 7638 thumbprint of its public key. */
export async function createVendorLinkKeys(privateKey: KeyObject, kid?: string): Promise<VendorLinkKeys> {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('links are signed with an Ed25519 key');
  const publicKey = createPublicKey(privateKey);
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  const keyId = kid ?? (await calculateJwkThumbprint(publicJwk));
  function signer<C extends Record<string, unknown>>(p: LinkPurpose<C>): LinkSigner<C> {
    return {
      // Ed25519 is deterministic and the claims are written in a fixed order (the schema's), so
      // the same claims always give the same token: a link can be handed out again without storing it.
      sign: (c) =>
        new SignJWT({ iss: LINK_ISSUER, aud: p.audience, ...(p.claims.parse(c) as Record<string, unknown>) })
          .setProtectedHeader({ alg: 'EdDSA', typ: p.typ, kid: keyId })
          .sign(privateKey),
      async verify(token) {
        try {
          const { payload, protectedHeader } = await jwtVerify(token, publicKey, {
            // Pinned: the header's `alg` never chooses how the signature is checked.
            algorithms: ['EdDSA'],
            issuer: LINK_ISSUER,
            audience: p.audience,
            typ: p.typ,
            requiredClaims: ['jti', 'sub', 'iat', 'exp'],
            clockTolerance: 0,
          });
          if (protectedHeader.kid !== keyId) return { ok: false, reason: 'tampered' };
          const claims = p.claims.safeParse(payload);
          return claims.success ? { ok: true, claims: claims.data } : { ok: false, reason: 'tampered' };
        } catch (err) {
          // jose checks the signature before the claims, so an expired link was signed by us.
          if (err instanceof joseErrors.JWTExpired) {
            const claims = p.claims.safeParse(err.payload);
            if (claims.success) return { ok: false, reason: 'expired', claims: claims.data };
          }
          return { ok: false, reason: 'tampered' };
        }
      },
    };
  }
  const vendor = signer(VENDOR_LINK);
  return {
    kid: keyId,
    jwks: { keys: [{ ...publicJwk, kid: keyId, alg: 'EdDSA', use: 'sig' }] },
    sign: (c) => vendor.sign(c),
    verify: (token) => vendor.verify(token),
    signer,
  };
}

/**
 * The signing key: from the environment when given (production), else the development key in
 * the identity database, generated by whichever replica gets there first so all of them share it.
 */
export async function loadVendorLinkKeys(opts: { sql: Sql; signingKey?: string | undefined; keyId?: string | undefined; logger?: Logger }): Promise<VendorLinkKeys> {
  if (opts.signingKey) return createVendorLinkKeys(parseSigningKey(opts.signingKey), opts.keyId);
  const fresh = generateKeyPairSync('ed25519').privateKey;
  const freshJwk = fresh.export({ format: 'jwk' });
  const freshKid = await calculateJwkThumbprint(createPublicKey(fresh).export({ format: 'jwk' }));
  await opts.sql`
    insert into vendor_link_keys (purpose, kid, private_jwk) values ('development', ${freshKid}, ${opts.sql.json(freshJwk as never)})
    on conflict (purpose) do nothing`;
  const [row] = await opts.sql<{ kid: string; private_jwk: JsonWebKey }[]>`select kid, private_jwk from vendor_link_keys where purpose = 'development'`;
  opts.logger?.warn({ kid: row!.kid }, 'vendor links are signed with the development key kept in the database; set VENDOR_LINK_SIGNING_KEY for real use');
  return createVendorLinkKeys(createPrivateKey({ key: row!.private_jwk, format: 'jwk' }), opts.keyId ?? row!.kid);
}
