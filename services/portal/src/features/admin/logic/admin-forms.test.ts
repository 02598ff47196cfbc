import { describe, expect, it } from 'vitest';
import { InviteUserSchema, UpdateSiteSchema } from '@tierline/contracts';
import { fieldOfPath, INVITE_FIELDS, inviteNotice, roleChangeNotice, siteChange, toInviteBody } from './admin-forms.js';

describe('the invite form', () => {
  it('sends trimmed text, a lower-case username and no organisation for ""', () => {
    const body = toInviteBody({ username: ' Nina.New ', email: ' nina@north.clinic.test ', firstName: ' Nina ', lastName: 'New', roles: ['clinic_staff'], sites: ['north'], vendorOrg: '' });
    expect(body).toEqual({ username: 'nina.new', email: 'nina@north.clinic.test', firstName: 'Nina', lastName: 'New', roles: ['clinic_staff'], sites: ['north'], vendorOrg: null });
    expect(InviteUserSchema.safeParse(body).success).toBe(true);
  });

  it('is refused by the route schema for a vendor without an organisation, on the organisation field', () => {
    const res = InviteUserSchema.safeParse(toInviteBody({ username: 'vic.v', email: 'v@x.test', firstName: 'V', lastName: 'V', roles: ['vendor'], sites: [], vendorOrg: '' }));
    expect(res.success).toBe(false);
    expect(res.error!.issues.map((i) => fieldOfPath(INVITE_FIELDS)(i.path.join('.')))).toEqual(['vendorOrg']);
  });

  it('tells the admin what the e-mail asks of the person', () => {
    expect(inviteNotice({ displayName: 'Nina New', email: 'nina@x.test', roles: ['clinic_staff'] })).toMatch(/set a password;/);
    expect(inviteNotice({ displayName: 'Ian IT', email: 'ian@x.test', roles: ['it_agent'] })).toMatch(/enrol an authenticator app/);
  });
});

describe('role changes', () => {
  it('says when a new role needs a second factor (sessions end, the link is e-mailed)', () => {
    expect(roleChangeNotice('Nina', ['clinic_staff'], ['clinic_staff', 'it_agent'])).toMatch(/added IT agent.*needs a second factor/);
    expect(roleChangeNotice('Ian', ['it_agent'], ['it_lead'])).toMatch(/added IT lead; removed IT agent\. It applies from their next sign-in/);
  });
});

describe('editing a site', () => {
  it('sends only what changed, and nothing changed is refused by the route schema', () => {
    const site = { name: 'North Clinic', timeZone: 'America/New_York' };
    expect(siteChange(site, { name: ' North Clinic ', timeZone: 'America/Chicago' })).toEqual({ timeZone: 'America/Chicago' });
    expect(UpdateSiteSchema.safeParse(siteChange(site, site)).success).toBe(false);
  });
});
