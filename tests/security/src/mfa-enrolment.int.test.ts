import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, SecondFactorNotEnrolled, SecondFactorSetupRequired, loginAs } from '@tierline/testing';
import { actionLinkFromMailpit, api, collectEvents, createPerson, enrolTotpThroughLink, kcAdmin, selfEnrolThroughAccountConsole, identityTest, type Identity, within } from './test/mfa-identity.js';

const test = identityTest('sec-mfa-enrolment');

/**
 * Security review, High item 2: "A second factor cannot be self-enrolled by whoever holds a
 * password" (decision 19). Before the fix, a login of an account whose role needs a second factor
 * and which had none went on to Keycloak's configure-OTP page: the password holder registered their
 * own authenticator. A role grant left the promoted person's sessions and tokens working.
 */
describe('second-factor enrolment is bound to the e-mailed link, never to the password alone', () => {
  let id: Identity;
  let lead: string;
  let events: ReturnType<typeof collectEvents>;
  const created: string[] = [];

  test.beforeAll(async ({ identity }) => {
    id = identity;
    events = collectEvents(id.nc);
    lead = (await loginAs('lee.lead', DEMO_PASSWORD)).access_token;
  });
  afterAll(async () => {
    for (const u of created) await kcAdmin('DELETE', `/users/${u}`);
    events?.stop();
  });

  it('refuses the password of an IT agent who has no factor with the enrolment message, and never shows the configure-OTP page', async () => {
    const agent = await createPerson(['it_agent'], 'sec-agent');
    created.push(agent.id);
    const err = await loginAs(agent.username, DEMO_PASSWORD).catch((e: unknown) => e);
    expect(err, 'before the fix: SecondFactorSetupRequired, the self-enrolment page').not.toBeInstanceOf(SecondFactorSetupRequired);
    expect(err, String(err)).toBeInstanceOf(SecondFactorNotEnrolled);
    expect(String(err)).toMatch(/check your email for the enrolment link/i);
    expect((await kcAdmin('GET', `/users/${agent.id}/credentials`)).body.map((c: { type: string }) => c.type)).toEqual(['password']);
  });

  it('a nurse promoted to it_agent: her token is refused at once, her sessions end, her password alone no longer signs her in, and only the e-mailed link enrols her', async () => {
    const nurse = await createPerson(['clinic_staff'], 'sec-nurse');
    created.push(nurse.id);
    const nurseToken = (await loginAs(nurse.username, DEMO_PASSWORD)).access_token;
    const asNurse = api(id.baseUrl, nurseToken);
    expect((await asNurse('GET', '/api/v1/me')).status).toBe(200);
    expect((await kcAdmin('GET', `/users/${nurse.id}/sessions`)).body.length).toBeGreaterThan(0);

    const started = Date.now();
    const res = await api(id.baseUrl, lead)('PUT', `/api/v1/directory/users/${nurse.id}/roles`, { roles: ['it_agent'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.roles).toEqual(['it_agent']);

    // The token she held as a nurse is refused by every service (the revocation bucket), within 2 s.
    let last = await asNurse('GET', '/api/v1/me');
    await within(2_000, async () => (last = await asNurse('GET', '/api/v1/me')).status === 401);
    expect(last.body.error.code).toBe('UNAUTHORIZED');
    console.info(`role grant → old token refused in ${Date.now() - started} ms`);
    expect((await kcAdmin('GET', `/users/${nurse.id}/sessions`)).body, 'her Keycloak sessions are ended').toEqual([]);

    // Her password alone does not get her in, nor to a page where she could add her own authenticator.
    const err = await loginAs(nurse.username, DEMO_PASSWORD).catch((e: unknown) => e);
    expect(err, String(err)).toBeInstanceOf(SecondFactorNotEnrolled);

    const sent = await events.waitFor((e) => e.type === 'identity.enrolment_link_sent' && e.data['userId'] === nurse.id);
    expect(sent.data).toMatchObject({ username: nurse.username, actions: ['CONFIGURE_TOTP'], reason: 'role_granted', sessionsEnded: true });
    expect(sent.actor).toMatchObject({ kind: 'user', role: 'it_lead' });
    const changed = await events.waitFor((e) => e.type === 'identity.roles_changed' && e.data['userId'] === nurse.id);
    expect(changed.data).toMatchObject({ before: ['clinic_staff'], after: ['it_agent'], secondFactorEnrolment: true });

    // The e-mailed link (Keycloak's execute-actions e-mail through the real SMTP server) is the
    // second proof: it opens the configure-OTP page without the browser flow's factor step.
    const link = await actionLinkFromMailpit(nurse.email);
    const { secret } = await enrolTotpThroughLink(link);
    expect((await kcAdmin('GET', `/users/${nurse.id}/credentials`)).body.map((c: { type: string }) => c.type).sort()).toEqual(['otp', 'password']);

    // Single use: the same link does nothing a second time.
    await expect(enrolTotpThroughLink(link)).rejects.toThrow(/did not open the configure-OTP page/);

    // Now password + code sign her in as an IT agent, with a token issued after the revocation.
    await new Promise((r) => setTimeout(r, 1_100));
    const fresh = (await loginAs(nurse.username, DEMO_PASSWORD, { totpSecret: secret })).access_token;
    const me = await api(id.baseUrl, fresh)('GET', '/api/v1/me');
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body).toMatchObject({ username: nurse.username, roles: ['it_agent'] });
    expect((await asNurse('GET', '/api/v1/me')).status, 'the old token stays refused').toBe(401);
  });

  it('a nurse who added her own authenticator with her password alone (account console) loses it when promoted, and enrols through the link', async () => {
    const nurse = await createPerson(['clinic_staff'], 'sec-self');
    created.push(nurse.id);
    const selfMade = await selfEnrolThroughAccountConsole(nurse.username, DEMO_PASSWORD);
    expect((await kcAdmin('GET', `/users/${nurse.id}/credentials`)).body.map((c: { type: string }) => c.type).sort()).toEqual(['otp', 'password']);

    const res = await api(id.baseUrl, lead)('PUT', `/api/v1/directory/users/${nurse.id}/roles`, { roles: ['it_agent'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await kcAdmin('GET', `/users/${nurse.id}/credentials`)).body.map((c: { type: string }) => c.type), 'the self-made factor is gone').toEqual(['password']);
    const changed = await events.waitFor((e) => e.type === 'identity.roles_changed' && e.data['userId'] === nurse.id);
    expect(changed.data).toMatchObject({ secondFactorEnrolment: true, secondFactorsRemoved: 1 });
    // The code from the factor she made herself no longer signs her in as an IT agent.
    await expect(loginAs(nurse.username, DEMO_PASSWORD, { totpSecret: selfMade })).rejects.toBeInstanceOf(SecondFactorNotEnrolled);
    const { secret } = await enrolTotpThroughLink(await actionLinkFromMailpit(nurse.email));
    await new Promise((r) => setTimeout(r, 1_100));
    const token = (await loginAs(nurse.username, DEMO_PASSWORD, { totpSecret: secret })).access_token;
    expect((await api(id.baseUrl, token)('GET', '/api/v1/me')).body).toMatchObject({ roles: ['it_agent'] });
  });

  it('a role change for someone who already has a factor ends nothing and sends nothing', async () => {
    const agent = await createPerson(['it_agent'], 'sec-has-otp');
    created.push(agent.id);
    // Give the agent a factor through the safe path first (the link sent on this role grant).
    expect((await api(id.baseUrl, lead)('PUT', `/api/v1/directory/users/${agent.id}/roles`, { roles: ['it_agent'] })).status).toBe(200);
    const { secret } = await enrolTotpThroughLink(await actionLinkFromMailpit(agent.email));
    await new Promise((r) => setTimeout(r, 1_100));
    const token = (await loginAs(agent.username, DEMO_PASSWORD, { totpSecret: secret })).access_token;
    const before = events.events.filter((e) => e.type === 'identity.enrolment_link_sent' && e.data['userId'] === agent.id).length;
    const res = await api(id.baseUrl, lead)('PUT', `/api/v1/directory/users/${agent.id}/roles`, { roles: ['auditor', 'it_agent'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await events.waitFor((e) => e.type === 'identity.roles_changed' && e.data['userId'] === agent.id && e.data['secondFactorEnrolment'] === false);
    expect(events.events.filter((e) => e.type === 'identity.enrolment_link_sent' && e.data['userId'] === agent.id).length).toBe(before);
    expect((await api(id.baseUrl, token)('GET', '/api/v1/me')).status, 'sessions of someone with a factor go on').toBe(200);
  });

  it('an invited IT agent gets the e-mailed link that sets the password and enrols the factor, and a lead can send it again', async () => {
    const username = `sec-invite-${Date.now().toString(36)}`;
    const email = `${username}@it.tierline.test`;
    const res = await api(id.baseUrl, lead)('POST', '/api/v1/directory/users', { username, email, firstName: 'In', lastName: 'Vited', roles: ['it_agent'] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    created.push(res.body.id);
    const sent = await events.waitFor((e) => e.type === 'identity.enrolment_link_sent' && e.data['userId'] === res.body.id);
    expect(sent.data).toMatchObject({ actions: ['UPDATE_PASSWORD', 'CONFIGURE_TOTP'], reason: 'invited', sessionsEnded: false });
    // The e-mail went astray: setting the same roles again sends a new link, password step included.
    expect((await api(id.baseUrl, lead)('PUT', `/api/v1/directory/users/${res.body.id}/roles`, { roles: ['it_agent'] })).status).toBe(200);
    const resent = await events.waitFor((e) => e.type === 'identity.enrolment_link_sent' && e.data['userId'] === res.body.id && e.id !== sent.id);
    expect(resent.data).toMatchObject({ actions: ['UPDATE_PASSWORD', 'CONFIGURE_TOTP'], reason: 'role_granted' });
    const { secret } = await enrolTotpThroughLink(await actionLinkFromMailpit(email), { newPassword: 'Invited-and-enrolled-1' });
    await new Promise((r) => setTimeout(r, 1_100));
    const token = (await loginAs(username, 'Invited-and-enrolled-1', { totpSecret: secret })).access_token;
    expect((await api(id.baseUrl, token)('GET', '/api/v1/me')).body).toMatchObject({ username, roles: ['it_agent'] });
  });

  it('refuses a role grant that needs the link for someone without an e-mail address, naming why (400)', async () => {
    const nurse = await createPerson(['clinic_staff'], 'sec-noemail');
    created.push(nurse.id);
    await kcAdmin('PUT', `/users/${nurse.id}`, { email: '' });
    const res = await api(id.baseUrl, lead)('PUT', `/api/v1/directory/users/${nurse.id}/roles`, { roles: ['it_agent'] });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toMatch(/no e-mail address/);
    const mapped = (await kcAdmin('GET', `/users/${nurse.id}/role-mappings/realm`)).body.map((r: { name: string }) => r.name);
    expect(mapped, 'nothing changed').not.toContain('it_agent');
  });
});
