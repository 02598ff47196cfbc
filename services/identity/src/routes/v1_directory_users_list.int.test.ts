/**
 * GET /api/v1/directory/users with several ids or usernames in one call, the way the notification
 * service resolves a team's members (real Keycloak directory sync, real tokens).
 */
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, loginAs, serviceToken } from '@tierline/testing';
import { api, identityTest, type Identity } from '../test/harness.js';

const test = identityTest('dirlist');
let id: Identity;
let notification: ReturnType<typeof api>;

test.beforeAll(async ({ identity }) => {
  id = identity;
  notification = api(id.baseUrl, (await serviceToken('tierline-notification')).access_token);
});

const usernames = (body: { users: { username: string }[] }) => body.users.map((u) => u.username);

describe('directory list: several people in one call', () => {
  it('matches any of repeated usernames, and any of repeated ids, with contacts for the notification service', async () => {
    const byName = await notification('GET', '/api/v1/directory/users?username=lee.lead&username=alex.agent&username=nobody.here');
    expect(byName.status, JSON.stringify(byName.body)).toBe(200);
    expect(usernames(byName.body)).toEqual(['alex.agent', 'lee.lead']);
    expect(byName.body.users[0].contacts, 'contacts for the notification service').toMatchObject({ email: 'alex.agent@it.tierline.test' });

    const ids = byName.body.users.map((u: { id: string }) => u.id) as string[];
    const byId = await notification('GET', `/api/v1/directory/users?id=${ids[0]}&id=${ids[1]}`);
    expect(usernames(byId.body)).toEqual(['alex.agent', 'lee.lead']);
    const one = await notification('GET', `/api/v1/directory/users?id=${ids[1]}`);
    expect(usernames(one.body)).toEqual(['lee.lead']);
  });

  it('finds the sender of a mail by the verified account email, in any case', async () => {
    const res = await notification('GET', `/api/v1/directory/users?email=${encodeURIComponent('Nora.Nurse@North.Clinic.TEST')}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(usernames(res.body)).toEqual(['nora.nurse']);
    expect(res.body.users[0].emailVerified, 'mirrored from Keycloak').toBe(true);
    const nobody = await notification('GET', `/api/v1/directory/users?email=${encodeURIComponent('stranger@example.org')}`);
    expect(usernames(nobody.body)).toEqual([]);
  });

  it('combines different filters with AND', async () => {
    const res = await notification('GET', '/api/v1/directory/users?username=lee.lead&username=alex.agent&role=it_lead');
    expect(usernames(res.body)).toEqual(['lee.lead']);
  });

  it('refuses more than 100 values, naming the parameter', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `username=u${i}`).join('&');
    const res = await notification('GET', `/api/v1/directory/users?${many}`);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain('username');
  });

  it('gives people (IT) the same filters without anyone\'s contacts, and refuses clinic staff', async () => {
    const lead = api(id.baseUrl, (await loginAs('lee.lead', DEMO_PASSWORD)).access_token);
    const res = await lead('GET', '/api/v1/directory/users?username=val.vendor&username=alex.agent');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(usernames(res.body)).toEqual(['alex.agent', 'val.vendor']);
    expect(res.body.users.every((u: { contacts?: unknown }) => u.contacts === undefined)).toBe(true);
    const nurse = api(id.baseUrl, (await loginAs('nora.nurse', DEMO_PASSWORD)).access_token);
    expect((await nurse('GET', '/api/v1/directory/users?username=lee.lead')).status).toBe(403);
  });
});
