import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, loginAs, serviceToken } from '@tierline/testing';
import { api, collectEvents, createPerson, kcAdmin, identityTest, type Identity } from './test/mfa-identity.js';

const test = identityTest('sec-directory-sa');

/**
 * Security review, Low item: "An IT lead cannot disable, re-role or enable a service account
 * through the directory API." Before the fix, POST /api/v1/directory/users/{id}/disable on the
 * user `service-account-tierline-notification` disabled the notification service's account (every
 * page stopped), and PUT …/roles gave it any Tierline role.
 */
describe('service accounts are out of reach of the directory API', () => {
  let id: Identity;
  let lead: string;
  let admin: string;
  let events: ReturnType<typeof collectEvents>;
  let notifier: { id: string; username: string; enabled: boolean };

  test.beforeAll(async ({ identity }) => {
    id = identity;
    events = collectEvents(id.nc);
    lead = (await loginAs('lee.lead', DEMO_PASSWORD)).access_token;
    admin = (await loginAs('ada.admin', DEMO_PASSWORD)).access_token;
    [notifier] = (await kcAdmin('GET', '/users?username=service-account-tierline-notification&exact=true')).body;
    expect(notifier, 'the realm has the notification service account').toBeDefined();
  });
  afterAll(async () => {
    // Whatever happened above, the notification service keeps its account.
    if (notifier) await kcAdmin('PUT', `/users/${notifier.id}`, { enabled: true });
    events?.stop();
  });

  for (const who of ['IT lead', 'admin'] as const) {
    it(`refuses an ${who} to disable, enable or re-role a service account with a 403 naming why`, async () => {
      const call = api(id.baseUrl, who === 'admin' ? admin : lead);
      for (const [method, path, body] of [
        ['POST', `/api/v1/directory/users/${notifier.id}/disable`, undefined],
        ['POST', `/api/v1/directory/users/${notifier.id}/enable`, undefined],
        ['PUT', `/api/v1/directory/users/${notifier.id}/roles`, { roles: ['it_agent'] }],
      ] as const) {
        const res = await call(method, path, body);
        expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(403);
        expect(res.body.error.message).toMatch(/service account of client tierline-notification/);
      }
      const after = (await kcAdmin('GET', `/users/${notifier.id}`)).body;
      expect(after.enabled, 'the account is still enabled').toBe(true);
      const roles = (await kcAdmin('GET', `/users/${notifier.id}/role-mappings/realm`)).body.map((r: { name: string }) => r.name);
      expect(roles).not.toContain('it_agent');
      // The service still gets tokens, and nothing was published as if it had changed.
      expect((await serviceToken('tierline-notification')).access_token).toBeTruthy();
      expect(events.events.filter((e) => e.data['userId'] === notifier.id)).toEqual([]);
    });
  }

  it('still lets an IT lead manage people (the refusal is for service accounts only)', async () => {
    // A person of this test: re-roling a demo user would reach every file logged in as them.
    const nurse = await createPerson(['clinic_staff'], 'sec-dir-sa');
    try {
      const res = await api(id.baseUrl, lead)('PUT', `/api/v1/directory/users/${nurse.id}/roles`, { roles: ['clinic_staff'] });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.roles).toEqual(['clinic_staff']);
    } finally {
      await kcAdmin('DELETE', `/users/${nurse.id}`);
    }
  });
});
