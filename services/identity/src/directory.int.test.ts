import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_USERS, loginAs, loginTestUser, serviceToken, testEnv, testUsers, type TestUser } from '@tierline/testing';
import { api, collectEvents, identityBaseTest, startIdentity, type Identity } from './test/harness.js';

/** Keycloak admin calls the tests need for set-up and clean-up, with the identity service account. */
async function kcAdmin(method: string, path: string, body?: unknown) {
  const env = testEnv();
  const t = (await serviceToken('tierline-identity')).access_token;
  const res = await fetch(`${env.keycloakUrl}/admin/realms/${env.realm}${path}`, {
    method,
    headers: { authorization: `Bearer ${t}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

// The person this file disables: its own, never a demo user other files log in as meanwhile.
const people = testUsers();
let oncall: TestUser;

const test = identityBaseTest('directory').extend('identity', { scope: 'file' }, async ({ database, nats }, hooks) => {
  oncall = await people.create({ prefix: 'dir.oncall', roles: ['it_agent'], totp: true });
  // Started after: its directory mirrors the realm as it is now, this file's person included.
  return startIdentity('directory', { database, nats }, hooks);
});

describe('directory mirrored from Keycloak', () => {
  let id: Identity;
  let lead: string;
  let events: ReturnType<typeof collectEvents>;
  const invited: string[] = [];

  test.beforeAll(async ({ identity }) => {
    id = identity;
    events = collectEvents(id.nc);
    lead = (await loginAs('lee.lead', DEMO_PASSWORD)).access_token;
  });
  afterAll(async () => {
    for (const u of invited) await kcAdmin('DELETE', `/users/${u}`);
    await people.removeAll();
    events?.stop();
  });

  it('mirrors the demo users with roles, sites and vendor organisation', async () => {
    const rows = await id.sql<{ username: string; roles: string[]; sites: string[]; vendor_org: string | null; enabled: boolean }[]>`
      select username, roles, sites, vendor_org, enabled from users order by username`;
    const by = new Map(rows.map((r) => [r.username, r]));
    expect(by.get('nora.nurse')).toMatchObject({ roles: ['clinic_staff'], sites: ['north'], vendor_org: null, enabled: true });
    expect(by.get('val.vendor')).toMatchObject({ roles: ['vendor'], vendor_org: 'acme-it' });
    expect(by.get('alex.agent')).toMatchObject({ roles: ['it_agent'] });
    expect([...by.keys()].some((u) => u.startsWith('service-account-')), 'service accounts are not people').toBe(false);
  });

  describe('GET /api/v1/directory/users', () => {
    it('lists users to an IT lead, filtered by role, site and vendor organisation', async () => {
      const call = api(id.baseUrl, lead);
      // Other files create people of their own in the shared realm while this runs: of the demo people, exactly these.
      const demo = (res: { body: { users: { username: string }[] } }) => res.body.users.map((u) => u.username).filter((u) => DEMO_USERS.some((d) => d.username === u));
      const byRole = await call('GET', '/api/v1/directory/users?role=vendor');
      expect(byRole.status, JSON.stringify(byRole.body)).toBe(200);
      expect(demo(byRole)).toEqual(['val.vendor']);
      expect(byRole.body.users.every((u: { roles: string[] }) => u.roles.includes('vendor')), 'only vendors').toBe(true);
      const bySite = await call('GET', '/api/v1/directory/users?site=south');
      expect(demo(bySite)).toEqual(['sam.staff']);
      expect(bySite.body.users.every((u: { sites: string[] }) => u.sites.includes('south')), 'only people of site south').toBe(true);
      const byVendor = await call('GET', '/api/v1/directory/users?vendorOrg=acme-it');
      expect(demo(byVendor)).toEqual(['val.vendor']);
      expect(byVendor.body.users.every((u: { vendorOrg: string | null }) => u.vendorOrg === 'acme-it'), 'only people of acme-it').toBe(true);
      expect((await call('GET', '/api/v1/directory/users?role=nurse')).status).toBe(400);
    });

    it("lets tierline-notification's service account read it, but not another service's", async () => {
      const notif = await api(id.baseUrl, (await serviceToken('tierline-notification')).access_token)('GET', '/api/v1/directory/users');
      expect(notif.status, JSON.stringify(notif.body)).toBe(200);
      const val = notif.body.users.find((u: { username: string }) => u.username === 'val.vendor');
      expect(val.contacts, 'the notification service gets contacts to deliver to').toMatchObject({ email: 'val.vendor@acme-it.test' });
      const one = await api(id.baseUrl, (await serviceToken('tierline-notification')).access_token)('GET', `/api/v1/directory/users?id=${val.id}&siteId=north`);
      expect(one.body.users.map((u: { username: string }) => u.username)).toEqual(['val.vendor']);
      const asLead = await api(id.baseUrl, lead)('GET', '/api/v1/directory/users?role=vendor');
      expect(asLead.body.users[0].contacts, 'people see no one else\'s contacts').toBeUndefined();
      const worker = await api(id.baseUrl, (await serviceToken('tierline-worker')).access_token)('GET', '/api/v1/directory/users');
      expect(worker.status, JSON.stringify(worker.body)).toBe(403);
    });

    for (const who of ['nora.nurse', 'val.vendor', 'audrey.auditor']) {
      it(`forbids ${who}`, async () => {
        const res = await api(id.baseUrl, (await loginAs(who, DEMO_PASSWORD)).access_token)('GET', '/api/v1/directory/users');
        expect(res.status, JSON.stringify(res.body)).toBe(403);
      });
    }
  });

  describe('/api/v1/me/contacts', () => {
    const contacts = {
      email: 'sam.home@example.test',
      mobile: '+4915123456789',
      slackHandle: '@sam',
      teamsHandle: 'sam.staff@south.clinic.test',
      quietHours: { start: '22:00', end: '06:30', timeZone: 'Europe/Berlin' },
      preferredChannels: ['sms', 'email'],
    };

    it('each person reads and replaces their own, and the event names fields only', async () => {
      const call = api(id.baseUrl, (await loginAs('sam.staff', DEMO_PASSWORD)).access_token);
      const empty = await call('GET', '/api/v1/me/contacts');
      expect(empty.body).toEqual({ email: null, mobile: null, slackHandle: null, teamsHandle: null, quietHours: null, preferredChannels: [] });
      const put = await call('PUT', '/api/v1/me/contacts', contacts);
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect((await call('GET', '/api/v1/me/contacts')).body).toEqual(contacts);
      const ev = await events.waitFor((e) => e.type === 'identity.contacts_changed' && e.data['username'] === 'sam.staff');
      expect(ev.data['fields']).toEqual(expect.arrayContaining(['mobile', 'quietHours']));
      expect(JSON.stringify(ev), 'no contact values in the event').not.toMatch(/4915123456789|sam\.home|Europe\/Berlin/);
      // Another person sees their own (empty) contacts, never Sam's.
      const nora = await api(id.baseUrl, (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token)('GET', '/api/v1/me/contacts');
      expect(nora.body.mobile).toBeNull();
    });

    it('refuses a mobile number that is not E.164 and an unknown time zone, naming the fields', async () => {
      const call = api(id.baseUrl, (await loginAs('sam.staff', DEMO_PASSWORD)).access_token);
      const res = await call('PUT', '/api/v1/me/contacts', { ...contacts, mobile: '0151 234', quietHours: { ...contacts.quietHours, timeZone: 'Mars/Base' } });
      expect(res.status).toBe(400);
      const paths = res.body.error.details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['mobile', 'quietHours.timeZone']));
    });
  });

  describe('invite and roles', () => {
    const newUser = () => {
      const tag = randomBytes(3).toString('hex');
      return { username: `test.invite.${tag}`, email: `invite.${tag}@it.tierline.test`, firstName: 'Ivy', lastName: 'Invite', roles: ['it_agent'], sites: ['north'] };
    };

    it('an IT lead invites an IT agent: Keycloak account with UPDATE_PASSWORD and CONFIGURE_TOTP, an audited event', async () => {
      const body = newUser();
      const res = await api(id.baseUrl, lead)('POST', '/api/v1/directory/users', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      invited.push(res.body.id);
      expect(res.body).toMatchObject({ username: body.username, roles: ['it_agent'], sites: ['north'], enabled: true, emailVerified: false });
      // Keycloak holds an invited address as not verified yet: it identifies nobody who mails the help desk.
      const bySender = await api(id.baseUrl, lead)('GET', `/api/v1/directory/users?email=${encodeURIComponent(body.email)}`);
      expect(bySender.status).toBe(200);
      expect(bySender.body.users).toEqual([]);
      const kc = await kcAdmin('GET', `/users/${res.body.id}`);
      expect(kc.body.requiredActions.sort()).toEqual(['CONFIGURE_TOTP', 'UPDATE_PASSWORD']);
      const ev = await events.waitFor((e) => e.type === 'identity.user_invited' && e.data['userId'] === res.body.id);
      expect(ev.data).toMatchObject({ username: body.username, roles: ['it_agent'] });
      expect(JSON.stringify(ev.data)).not.toContain(body.email);

      const roles = await api(id.baseUrl, lead)('PUT', `/api/v1/directory/users/${res.body.id}/roles`, { roles: ['it_lead'] });
      expect(roles.status, JSON.stringify(roles.body)).toBe(200);
      expect(roles.body.roles).toEqual(['it_lead']);
      const mapped = await kcAdmin('GET', `/users/${res.body.id}/role-mappings/realm`);
      expect(mapped.body.map((r: { name: string }) => r.name)).toContain('it_lead');
      expect(mapped.body.map((r: { name: string }) => r.name)).not.toContain('it_agent');
      const rc = await events.waitFor((e) => e.type === 'identity.roles_changed' && e.data['userId'] === res.body.id);
      expect(rc.data).toMatchObject({ before: ['it_agent'], after: ['it_lead'] });
    });

    it('forbids an IT agent to invite, and an IT lead to create or make an admin', async () => {
      const agent = (await loginAs('alex.agent', DEMO_PASSWORD)).access_token;
      expect((await api(id.baseUrl, agent)('POST', '/api/v1/directory/users', newUser())).status).toBe(403);
      expect((await api(id.baseUrl, lead)('POST', '/api/v1/directory/users', { ...newUser(), roles: ['admin'] })).status).toBe(403);
      const alex = (await id.sql<{ id: string }[]>`select id from users where username = 'alex.agent'`)[0]!.id;
      expect((await api(id.baseUrl, agent)('PUT', `/api/v1/directory/users/${alex}/roles`, { roles: ['it_lead'] })).status).toBe(403);
      expect((await api(id.baseUrl, lead)('PUT', `/api/v1/directory/users/${alex}/roles`, { roles: ['admin'] })).status).toBe(403);
    });
  });

  describe('disabling', () => {
    let personId: string;
    beforeAll(() => {
      personId = oncall.id;
    });

    it('refuses the disabled user\'s still-valid token within 2 s, ends their Keycloak sessions, and re-enabling lets them back', async () => {
      const token = (await loginTestUser(oncall)).access_token;
      const asPerson = api(id.baseUrl, token);
      expect((await asPerson('GET', '/api/v1/me')).status).toBe(200);
      expect((await kcAdmin('GET', `/users/${personId}/sessions`)).body.length).toBeGreaterThan(0);

      const res = await api(id.baseUrl, lead)('POST', `/api/v1/directory/users/${personId}/disable`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.enabled).toBe(false);
      // From the moment the disable answered: how long its own Keycloak calls take on a loaded
      // machine is not what the 2 s promise is about.
      const started = Date.now();
      let last = await asPerson('GET', '/api/v1/me');
      while (last.status !== 401 && Date.now() - started < 2_000) {
        await new Promise((r) => setTimeout(r, 25));
        last = await asPerson('GET', '/api/v1/me');
      }
      const delay = Date.now() - started;
      expect(last.status, JSON.stringify(last.body)).toBe(401);
      expect(last.body.error.message).toBe('access token revoked (account disabled or signed out by an IT lead)');
      expect(delay).toBeLessThan(2_000);
      console.info(`disable answered → 401 in ${delay} ms`);

      expect((await kcAdmin('GET', `/users/${personId}/sessions`)).body).toEqual([]);
      expect((await kcAdmin('GET', `/users/${personId}`)).body.enabled).toBe(false);
      await expect(loginTestUser(oncall)).rejects.toThrow();
      const ev = await events.waitFor((e) => e.type === 'identity.user_disabled' && e.data['userId'] === personId);
      expect(ev.data).toEqual({ userId: personId, username: oncall.username });

      const enabled = await api(id.baseUrl, lead)('POST', `/api/v1/directory/users/${personId}/enable`);
      expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
      const enabledAt = Date.now();
      let back = await asPerson('GET', '/api/v1/me');
      while (back.status !== 200 && Date.now() - enabledAt < 10_000) {
        await new Promise((r) => setTimeout(r, 25));
        back = await asPerson('GET', '/api/v1/me');
      }
      expect(back.status).toBe(200);
    });

    it('forbids an IT agent to disable anyone, and anyone to disable themselves', async () => {
      const agent = (await loginAs('alex.agent', DEMO_PASSWORD)).access_token;
      expect((await api(id.baseUrl, agent)('POST', `/api/v1/directory/users/${personId}/disable`)).status).toBe(403);
      const leeId = (await id.sql<{ id: string }[]>`select id from users where username = 'lee.lead'`)[0]!.id;
      expect((await api(id.baseUrl, lead)('POST', `/api/v1/directory/users/${leeId}/disable`)).status).toBe(400);
    });
  });
});
