import { describe, expect, it } from 'vitest';
import type { User } from 'oidc-client-ts';
import { identityOf } from '../lib/auth.js';
import { canAudit, canReadMaintenance, canReadPolicies, homeOf, isIt, navItems } from './access.js';
import { whatHappensNext } from '../lib/status.js';
import { siteLabel, ticketHeadline } from '../lib/labels.js';
import type { Ticket } from '../lib/api/types.js';

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('portal app logic', () => {
  it('reads roles from realm_access and sites from /sites/* groups', () => {
    const token = `${b64url({ alg: 'RS256' })}.${b64url({
      sub: 'b7c1a0de-0000-4000-8000-000000000001',
      preferred_username: 'nina',
      realm_access: { roles: ['clinic_staff', 'default-roles-tierline', 'offline_access', 'mfa_required'] },
      groups: ['/sites/north', '/vendors/acme', '/sites/main-campus'],
    })}.sig`;
    const user = { access_token: token, profile: { name: 'Nina Nurse', preferred_username: 'nina' } } as unknown as User;
    expect(identityOf(user)).toEqual({ id: 'b7c1a0de-0000-4000-8000-000000000001', name: 'Nina Nurse', username: 'nina', roles: ['clinic_staff'], sites: ['north', 'main-campus'] });
    expect(siteLabel('main-campus')).toBe('Main campus');
  });

  it('sends each role to its own start page and guards the routes by role', () => {
    const who = (...roles: string[]) => ({ roles });
    expect(homeOf(who('clinic_staff'))).toBe('report');
    expect(homeOf(who('it_agent'))).toBe('queue');
    expect(homeOf(who('it_lead', 'clinic_staff'))).toBe('queue');
    expect(homeOf(who('vendor'))).toBe('vendor');
    expect(homeOf(who('auditor'))).toBe('audit');
    expect(homeOf(who('auditor', 'clinic_staff'))).toBe('report');
    expect(homeOf(who('admin'))).toBe('users');
    expect(isIt(who('vendor'))).toBe(false);
    expect(canAudit(who('it_agent'))).toBe(false);
    expect(canAudit(who('it_lead'))).toBe(true);
    expect(canReadPolicies(who('auditor'))).toBe(true);
    expect(canReadPolicies(who('clinic_staff'))).toBe(false);
    expect(navItems(who('it_agent')).map((i) => i.href)).toEqual(['/queue', '/report', '/incidents/new']);
    expect(navItems(who('it_lead')).map((i) => i.href)).toEqual(['/queue', '/report', '/incidents/new', '/policy', '/assignment', '/maintenance', '/reports', '/audit']);
    expect([canReadMaintenance(who('it_lead')), canReadMaintenance(who('admin')), canReadMaintenance(who('it_agent')), canReadMaintenance(who('clinic_staff'))]).toEqual([true, true, false, false]);
    expect(navItems(who('admin')).map((i) => i.href)).toEqual(['/tickets', '/admin/users', '/admin/sites', '/admin/vendors']);
    expect(navItems(who('admin')).find((i) => i.matches('/'))?.label, 'an admin starts on Users').toBe('Users');
    expect(navItems(who('it_lead', 'admin')).map((i) => i.href)).toEqual(['/queue', '/report', '/incidents/new', '/policy', '/assignment', '/maintenance', '/reports', '/audit', '/admin/users', '/admin/sites', '/admin/vendors']);
    expect(navItems(who('clinic_staff')).find((i) => i.matches('/tickets/abc'))?.label).toBe('My tickets');
  });

  it('explains what happens next in plain language', () => {
    const t = { number: 'IT-1001', priority: 'P1', status: 'new', tier: 1 } as Ticket;
    const lines = whatHappensNext(t);
    expect(lines.join(' ')).toMatch(/critical/);
    expect(lines.join(' ')).toMatch(/IT-1001/);
    expect(whatHappensNext({ ...t, status: 'resolved' }).join(' ')).toMatch(/fixed/);
  });

  it("names a ticket by its title, or by category and site in a vendor's view, which has no title", () => {
    expect(ticketHeadline({ title: 'Printer jams', category: 'printer_scanner', siteId: 'north' })).toBe('Printer jams');
    expect(ticketHeadline({ title: '', category: 'printer_scanner', siteId: 'main-campus' })).toMatch(/^Print.* at Main campus$/);
  });
});
