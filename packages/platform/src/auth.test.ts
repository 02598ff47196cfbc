import { describe, expect, it, beforeAll } from 'vitest';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type JWK, type CryptoKey } from 'jose';
import { actorFromClaims, createTokenVerifier } from './auth.js';
import { AppError } from './errors.js';

const ISS = 'http://kc.test/realms/tierline';
const AUD = 'tierline-ticket';

describe('createTokenVerifier', () => {
  let key: CryptoKey;
  let verify: ReturnType<typeof createTokenVerifier>;
  const claims = {
    sub: 'user-1',
    preferred_username: 'nora.nurse',
    typ: 'Bearer',
    realm_access: { roles: ['clinic_staff', 'offline_access'] },
    groups: ['/sites/north', '/vendors/acme-it'],
  };

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    verify = createTokenVerifier({ issuer: ISS, jwksUrl: 'http://unused', audience: AUD, keySet: createLocalJWKSet({ keys: [jwk] }) });
  });

  const sign = (over: Record<string, unknown> = {}, exp = '5m', k: CryptoKey = key) =>
    new SignJWT({ ...claims, ...over }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(ISS).setAudience(AUD).setIssuedAt().setExpirationTime(exp).sign(k);

  const rejection = async (token: string) => {
    try {
      await verify(token);
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      return err as AppError;
    }
    throw new Error('token was accepted');
  };

  it('turns valid claims into an actor', async () => {
    const actor = await verify(await sign());
    expect(actor).toEqual({
      id: 'user-1',
      username: 'nora.nurse',
      roles: ['clinic_staff'],
      sites: ['north'],
      vendorOrg: 'acme-it',
      primaryRole: 'clinic_staff',
      isServiceAccount: false,
      serviceClient: null,
      tokenExpiresAt: expect.any(Number) as number,
    });
    expect(actor.tokenExpiresAt! - Date.now()).toBeGreaterThan(0);
  });

  it('names the expired token', async () => {
    const err = await rejection(await sign({}, '-1m'));
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.message).toMatch(/expired/);
  });

  it('refuses another issuer and another audience, naming the claim', async () => {
    const otherIss = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('http://evil').setAudience(AUD).setIssuedAt().setExpirationTime('5m').sign(key);
    expect((await rejection(otherIss)).message).toMatch(/iss/);
    const otherAud = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(ISS).setAudience('tierline-audit').setIssuedAt().setExpirationTime('5m').sign(key);
    expect((await rejection(otherAud)).message).toMatch(/aud/);
  });

  it('refuses a foreign key, alg none and an HMAC token', async () => {
    const { privateKey: foreign } = await generateKeyPair('RS256');
    expect((await rejection(await sign({}, '5m', foreign))).code).toBe('UNAUTHORIZED');
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    expect((await rejection(`${enc({ alg: 'none' })}.${enc({ ...claims, iss: ISS, aud: AUD, iat: now, exp: now + 300 })}.`)).code).toBe('UNAUTHORIZED');
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setIssuer(ISS).setAudience(AUD).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(32)));
    expect((await rejection(hmac)).code).toBe('UNAUTHORIZED');
  });

  it('refuses an ID or refresh token presented as an access token', async () => {
    expect((await rejection(await sign({ typ: 'ID' }))).message).toMatch(/not an access token/);
  });
});

describe('actorFromClaims', () => {
  it('ignores roles Tierline does not know and picks the strongest as primary', () => {
    const a = actorFromClaims({ sub: 's', realm_access: { roles: ['it_agent', 'it_lead', 'uma_authorization'] }, groups: [] });
    expect(a.roles).toEqual(['it_agent', 'it_lead']);
    expect(a.primaryRole).toBe('it_lead');
    expect(a.sites).toEqual([]);
    expect(a.vendorOrg).toBeNull();
  });
});
