import { describe, expect, it } from 'vitest';
import type { User } from 'oidc-client-ts';
import { identityOf } from '../lib/auth.js';
import { matchPath } from './router.js';
import { whatHappensNext } from '../lib/status.js';
import { siteLabel, ticketHeadline } from '../lib/labels.js';
import type { Ticket } from '../lib/types.js';

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

  it('matches ticket routes', () => {
    expect(matchPath('/tickets/:id', '/tickets/abc-1')).toEqual({ id: 'abc-1' });
    expect(matchPath('/tickets/:id', '/tickets')).toBeNull();
    expect(matchPath('/tickets/:id', '/tickets/a/b')).toBeNull();
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
