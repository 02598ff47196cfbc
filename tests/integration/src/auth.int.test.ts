import { describe, expect, it } from 'vitest';
import { forgeFrom, serviceToken } from '@tierline/testing';
import { demoToken } from '@tierline/test-fixtures';
import { api, sliceTest, type Slice } from './harness.js';

const test = sliceTest('auth');

/** Every way a token can be wrong gets 401 in the error envelope, on the real Keycloak keys. */
describe('token verification against the real realm', () => {
  let slice: Slice;
  let real: string;

  test.beforeAll(async ({ slice: running }) => {
    slice = running;
    real = await demoToken('alex.agent');
  });

  it('accepts the real token', async () => {
    const res = await api(slice.baseUrl, real)('GET', '/api/v1/tickets/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
  });

  it('refuses a request without a token', async () => {
    const res = await api(slice.baseUrl)('GET', '/api/v1/tickets/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'missing bearer token', requestId: expect.any(String) } });
  });

  for (const change of ['other-key', 'other-issuer', 'other-audience', 'expired', 'alg-none'] as const) {
    it(`refuses a token with ${change}`, async () => {
      const forged = await forgeFrom(real, change);
      const res = await api(slice.baseUrl, forged)('POST', '/api/v1/tickets', {
        title: 'Printer jam',
        category: 'printer_scanner',
        siteId: 'north',
        impact: 'one_user',
        urgency: 'low',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    });
  }

  it('forbids a genuine token that carries no human role (a service account) from opening tickets', async () => {
    const svc = (await serviceToken('tierline-worker')).access_token;
    const res = await api(slice.baseUrl, svc)('POST', '/api/v1/tickets', {
      title: 'Printer jam',
      category: 'printer_scanner',
      siteId: 'north',
      impact: 'one_user',
      urgency: 'low',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });
});
