/**
 * The admin's directory (docs/decisions/0044) on the real Keycloak, PostgreSQL and NATS: sites and
 * vendor organisations with their Keycloak groups, a vendor organisation's people, the user list's
 * search, the last admin kept, and one of these changes read back from the real audit log.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { auditRecorder } from '@tierline/audit/test-harness';
import { createLogger } from '@tierline/platform';
import { DEMO_PASSWORD, demoUser, keycloakAdmin, loginAs, loginTestUser, testUsers } from '@tierline/testing';
import { syncDirectory } from './directory.js';
import { api, collectEvents, identityBaseTest, startIdentity, type Identity } from './test/harness.js';

const test = identityBaseTest('admin')
  .extend('identity', { scope: 'file' }, async ({ database, nats }, hooks) => startIdentity('admin', { database, nats }, hooks))
  .extend('audit', { scope: 'file' }, async ({ database, nats }, hooks) =>
    auditRecorder({ dbUrl: database.url, nc: nats.nc, logger: createLogger('identity-admin-audit', process.env.LOG_LEVEL ?? 'silent'), name: `identity-admin-audit-${randomBytes(3).toString('hex')}` }, hooks),
  );

const people = testUsers();
const groupsMade: string[] = [];
const tag = randomBytes(3).toString('hex');

/** The Keycloak group at `path`, or null. */
async function group(path: string): Promise<{ id: string } | null> {
  const res = await keycloakAdmin('GET', `/group-by-path${path}`);
  return res.status === 200 ? (res.body as { id: string }) : null;
}

afterAll(async () => {
  await people.removeAll();
  for (const path of groupsMade) {
    const g = await group(path);
    if (g) await keycloakAdmin('DELETE', `/groups/${g.id}`);
  }
});

let id: Identity;
let admin: ReturnType<typeof api>;
let lead: ReturnType<typeof api>;
let agent: ReturnType<typeof api>;

test.beforeAll(async ({ identity }) => {
  id = identity;
  admin = api(id.baseUrl, (await loginAs('ada.admin', DEMO_PASSWORD, { totpSecret: demoUser('ada.admin')!.totpSecret! })).access_token);
  lead = api(id.baseUrl, (await loginAs('lee.lead', DEMO_PASSWORD, { totpSecret: demoUser('lee.lead')!.totpSecret! })).access_token);
  agent = api(id.baseUrl, (await loginAs('alex.agent', DEMO_PASSWORD, { totpSecret: demoUser('alex.agent')!.totpSecret! })).access_token);
});

describe('sites', () => {
  const siteId = `t-site-${tag}`;

  test('an admin adds a site with its Keycloak group, renames it and changes its time zone; it is audited', async ({ audit }) => {
    groupsMade.push(`/sites/${siteId}`);
    const created = await admin('POST', '/api/v1/sites', { id: siteId, name: 'East Clinic', timeZone: 'America/Chicago' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: siteId, name: 'East Clinic', timeZone: 'America/Chicago' });
    expect(await group(`/sites/${siteId}`), 'the Keycloak group people are put into').not.toBeNull();

    const listed = await agent('GET', '/api/v1/sites');
    expect(listed.status).toBe(200);
    expect(listed.body.sites.map((s: { id: string }) => s.id)).toContain(siteId);

    const changed = await admin('PATCH', `/api/v1/sites/${siteId}`, { name: 'East Clinic (Main St)', timeZone: 'America/Denver' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ id: siteId, name: 'East Clinic (Main St)', timeZone: 'America/Denver' });

    // The real audit consumer recorded both, with ids and field names and no site name (no free text in events).
    const rows = async () =>
      audit.sql<{ event_type: string; actor_role: string; content: string }[]>`
        select event_type, actor_role, content::text as content from audit_log where event_type like 'identity.site_%' and content::text like ${`%${siteId}%`} order by seq`;
    const start = Date.now();
    while ((await rows()).length < 2 && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 100));
    const recorded = await rows();
    expect(recorded.map((r) => [r.event_type, r.actor_role])).toEqual([
      ['identity.site_created', 'admin'],
      ['identity.site_updated', 'admin'],
    ]);
    expect(recorded[1]!.content).toContain('"changed"');
    expect(recorded.some((r) => r.content.includes('East Clinic'))).toBe(false);
  });

  it('refuses a duplicate id (409), an unknown time zone and a bad id (400 naming the field), an unknown site (404)', async () => {
    const dup = await admin('POST', '/api/v1/sites', { id: siteId, name: 'Again', timeZone: 'UTC' });
    expect(dup.status, JSON.stringify(dup.body)).toBe(409);
    expect(dup.body.error.message).toContain(siteId);

    const tz = await admin('POST', '/api/v1/sites', { id: `t-tz-${tag}`, name: 'Nowhere', timeZone: 'Mars/Olympus_Mons' });
    expect(tz.status, JSON.stringify(tz.body)).toBe(400);
    expect(tz.body.error.details).toEqual([expect.objectContaining({ path: 'timeZone', message: expect.stringMatching(/IANA time zone/) })]);

    const badId = await admin('POST', '/api/v1/sites', { id: 'East Clinic', name: 'East', timeZone: 'UTC' });
    expect(badId.status).toBe(400);
    expect(badId.body.error.details.map((d: { path: string }) => d.path)).toEqual(['id']);

    const unknown = await admin('PATCH', `/api/v1/sites/t-none-${tag}`, { name: 'Ghost' });
    expect(unknown.status).toBe(404);
    const empty = await admin('PATCH', `/api/v1/sites/${siteId}`, {});
    expect(empty.status).toBe(400);
  });

  it('lets only admins change sites: an IT lead is refused', async () => {
    expect((await lead('POST', '/api/v1/sites', { id: `t-lead-${tag}`, name: 'Lead', timeZone: 'UTC' })).status).toBe(403);
    expect((await lead('PATCH', `/api/v1/sites/${siteId}`, { name: 'Lead was here' })).status).toBe(403);
    expect(await group(`/sites/t-lead-${tag}`)).toBeNull();
  });
});

describe('vendor organisations and their people', () => {
  const orgId = `t-vendor-${tag}`;

  it('an admin adds an organisation, invites a person into it, lists and removes them', async () => {
    groupsMade.push(`/vendors/${orgId}`);
    const events = collectEvents(id.nc);
    try {
      const created = await admin('POST', '/api/v1/directory/vendor-orgs', { id: orgId, name: 'Beta Imaging' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body).toMatchObject({ id: orgId, name: 'Beta Imaging', people: 0 });
      expect(await group(`/vendors/${orgId}`)).not.toBeNull();
      expect((await admin('POST', '/api/v1/directory/vendor-orgs', { id: orgId, name: 'Twice' })).status).toBe(409);
      expect((await admin('PATCH', `/api/v1/directory/vendor-orgs/${orgId}`, { name: 'Beta Imaging Ltd' })).body).toMatchObject({ name: 'Beta Imaging Ltd' });

      const username = `t-vp-${tag}`;
      const invited = await admin('POST', `/api/v1/directory/vendor-orgs/${orgId}/people`, { username, email: `${username}@beta-imaging.test`, firstName: 'Vera', lastName: 'Vendor' });
      expect(invited.status, JSON.stringify(invited.body)).toBe(201);
      people.made.push({ id: invited.body.id, username, email: '', password: '', roles: ['vendor'], groups: [] });
      expect(invited.body).toMatchObject({ username, roles: ['vendor'], vendorOrg: orgId, enabled: true });
      // The vendor role needs a second factor: the invitation's link sets the password and enrols it.
      const sent = await events.waitFor((e) => e.type === 'identity.enrolment_link_sent' && e.data['userId'] === invited.body.id);
      expect(sent.data['actions']).toEqual(['UPDATE_PASSWORD', 'CONFIGURE_TOTP']);

      const listed = await admin('GET', `/api/v1/directory/vendor-orgs/${orgId}/people`);
      expect(listed.body.users.map((u: { username: string }) => u.username)).toEqual([username]);
      expect((await agent('GET', '/api/v1/directory/vendor-orgs')).body.vendorOrgs).toContainEqual(expect.objectContaining({ id: orgId, people: 1 }));

      const removed = await admin('DELETE', `/api/v1/directory/vendor-orgs/${orgId}/people/${invited.body.id}`);
      expect(removed.status, JSON.stringify(removed.body)).toBe(200);
      expect(removed.body).toMatchObject({ roles: [], vendorOrg: null, enabled: false });
      const kcUser = await id.kc.getUser(invited.body.id);
      expect(kcUser).toMatchObject({ enabled: false, vendorOrg: null, roles: [] });
      await events.waitFor((e) => e.type === 'identity.vendor_person_removed' && e.data['userId'] === invited.body.id);
      expect((await admin('DELETE', `/api/v1/directory/vendor-orgs/${orgId}/people/${invited.body.id}`)).status, 'no longer in it').toBe(404);
    } finally {
      events.stop();
    }
  });

  it('names the unknown organisation (404) and refuses IT leads (403)', async () => {
    const res = await admin('POST', `/api/v1/directory/vendor-orgs/t-none-${tag}/people`, { username: `t-x-${tag}`, email: 'x@example.org', firstName: 'X', lastName: 'Y' });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain(`t-none-${tag}`);
    expect((await lead('POST', '/api/v1/directory/vendor-orgs', { id: `t-l-${tag}`, name: 'L' })).status).toBe(403);
    expect((await lead('GET', `/api/v1/directory/vendor-orgs/${orgId}/people`)).status).toBe(403);
  });
});

describe('users: search and the last admin', () => {
  it('finds people by part of their name, username or e-mail, and by enabled state', async () => {
    const res = await lead('GET', '/api/v1/directory/users?q=NURSE');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.users.map((u: { username: string }) => u.username)).toEqual(['nora.nurse']);
    const none = await lead('GET', `/api/v1/directory/users?q=${encodeURIComponent('%')}`);
    expect(none.body.users, 'a % is a character, not a wildcard').toEqual([]);
  });

  it('refuses to take the admin role from, or disable, the last enabled admin (checked in Keycloak, not on the token)', async () => {
    const a = await people.create({ prefix: 'adm-a', roles: ['admin'], totp: true });
    const b = await people.create({ prefix: 'adm-b', roles: ['admin'], totp: true });
    await syncDirectory(id.sql, id.kc);
    // This file's directory mirror stands for a realm with these two admins only.
    await id.sql`delete from users where 'admin' = any(roles) and id <> all(${[a.id, b.id]})`;
    const asA = api(id.baseUrl, (await loginTestUser(a)).access_token);
    // Meanwhile b took a's admin role away (a's token still says admin for a few minutes).
    await id.kc.setRoles(a.id, ['it_lead']);
    const demote = await asA('PUT', `/api/v1/directory/users/${b.id}/roles`, { roles: ['it_lead'] });
    expect(demote.status, JSON.stringify(demote.body)).toBe(409);
    expect(demote.body.error.message).toMatch(/last enabled admin/);
    const disable = await asA('POST', `/api/v1/directory/users/${b.id}/disable`);
    expect(disable.status, JSON.stringify(disable.body)).toBe(409);
    expect(await id.kc.getUser(b.id)).toMatchObject({ enabled: true, roles: ['admin'] });

    // With another admin in Keycloak the same change goes through.
    await id.kc.setRoles(a.id, ['admin']);
    const ok = await asA('PUT', `/api/v1/directory/users/${b.id}/roles`, { roles: ['it_lead'] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await id.kc.getUser(b.id))?.roles).toEqual(['it_lead']);
  });
});
