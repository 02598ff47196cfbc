import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DEMO_PASSWORD, SecondFactorNotEnrolled, demoUser, forgeFrom, loginAs, serviceToken, testEnv, totp } from '@tierline/testing';
import { api, identityTest, type Identity } from './test/harness.js';

// One identity service for the file: both groups read it, neither changes it.
const test = identityTest('mfa');

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** The realm's browser flow on the real Keycloak: a second factor for every role but clinic_staff. */
describe('MFA on the real Keycloak', () => {
  let id: Identity;
  test.beforeAll(({ identity }) => {
    id = identity;
  });

  it('an IT agent with a seeded TOTP secret logs in with the code computed from it', async () => {
    const secret = demoUser('alex.agent')!.totpSecret!;
    expect(totp(secret)).toMatch(/^\d{6}$/);
    const tokens = await loginAs('alex.agent', DEMO_PASSWORD, { totpSecret: secret });
    const res = await api(id.baseUrl, tokens.access_token)('GET', '/api/v1/me');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ username: 'alex.agent', roles: ['it_agent'] });
  });

  it('refuses a wrong one-time code (the OTP form really is asked for)', async () => {
    // ada.admin: no other suite logs in as her, so the failed attempt disturbs nobody.
    await expect(loginAs('ada.admin', DEMO_PASSWORD, { totpSecret: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).rejects.toThrow(/one-time code of ada.admin not accepted/);
  });

  it('refuses an IT user without a second factor, pointing to the e-mailed enrolment link, and issues no code', async () => {
    // Like the demo's nick.newhire, but of this test only: the browser test enrols nick for a while.
    const env = testEnv();
    const t = (await serviceToken('tierline-identity')).access_token;
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${env.keycloakUrl}/admin/realms/${env.realm}${path}`, {
        method,
        headers: { authorization: `Bearer ${t}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const username = `mfa-newhire-${randomBytes(4).toString('hex')}`;
    await admin('POST', '/users', { username, email: `${username}@it.tierline.test`, enabled: true, emailVerified: true, firstName: 'New', lastName: 'Hire', credentials: [{ type: 'password', value: DEMO_PASSWORD, temporary: false }] });
    const userId = (await id.kc.listDirectory()).find((u) => u.username === username)!.id;
    try {
      await id.kc.setRoles(userId, ['it_agent']);
      const err = await loginAs(username, DEMO_PASSWORD).catch((e: unknown) => e);
      expect(err, String(err)).toBeInstanceOf(SecondFactorNotEnrolled);
      expect(String(err)).toMatch(/check your email for the enrolment link/i);
    } finally {
      await admin('DELETE', `/users/${userId}`);
    }
  });

  it('lets clinic staff in with the password alone', async () => {
    // nora.nurse has no TOTP secret: had Keycloak asked for a code, loginAs would have thrown.
    expect(demoUser('nora.nurse')!.totpSecret).toBeUndefined();
    const tokens = await loginAs('nora.nurse', DEMO_PASSWORD);
    const res = await api(id.baseUrl, tokens.access_token)('GET', '/api/v1/me');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ username: 'nora.nurse', roles: ['clinic_staff'], sites: [{ id: 'north' }] });
  });

  it('issues access tokens that live at most 5 minutes', async () => {
    const c = claimsOf((await loginAs('nora.nurse', DEMO_PASSWORD)).access_token);
    expect(Number(c['exp']) - Number(c['iat'])).toBeLessThanOrEqual(300);
  });
});

describe('tokens that must be refused at /api/v1/me', () => {
  let id: Identity;
  let real: string;
  test.beforeAll(async ({ identity }) => {
    id = identity;
    real = (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token;
  });

  it('accepts the real token', async () => {
    expect((await api(id.baseUrl, real)('GET', '/api/v1/me')).status).toBe(200);
  });

  it('refuses a request without a token', async () => {
    const res = await api(id.baseUrl)('GET', '/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'missing bearer token' });
  });

  for (const change of ['other-issuer', 'other-audience', 'expired', 'alg-none', 'other-key'] as const) {
    it(`refuses a token with ${change}`, async () => {
      const res = await api(id.baseUrl, await forgeFrom(real, change))('GET', '/api/v1/me');
      expect(res.status, JSON.stringify(res.body)).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    });
  }
});
