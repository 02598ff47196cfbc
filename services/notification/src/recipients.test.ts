import { describe, expect, it } from 'vitest';
import { IdentityRecipientResolver } from './recipients.js';

/**
 * The identity service's directory API does not exist yet; this pins what the resolver sends and
 * how it reads the answer, against a fake, until it can be tested against the real service.
 */
describe('IdentityRecipientResolver', () => {
  it('authenticates as the service account, asks per target and maps contacts', async () => {
    const calls: { url: string; auth: string | null; body: string | null }[] = [];
    const urlOf = (input: Parameters<typeof fetch>[0]) => (typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const fake: typeof fetch = async (input, init) => {
      const url = urlOf(input);
      calls.push({ url, auth: new Headers(init?.headers).get('authorization'), body: init?.body instanceof URLSearchParams ? init.body.toString() : null });
      if (url.endsWith('/token')) return Response.json({ access_token: 'sa-token', expires_in: 300 });
      if (url.includes('vendorOrg=')) {
        return Response.json({ users: [{ id: 'v1', username: 'val.vendor', displayName: 'Val Vendor', roles: ['vendor'], vendorOrg: 'acme-it', enabled: true, contacts: { email: 'val@acme.test', mobile: null, slackHandle: null, teamsHandle: null } }] });
      }
      return Response.json({
        users: [
          { id: 'u1', username: 'lee.lead', displayName: 'Lee Lead', roles: ['it_lead'], vendorOrg: null, enabled: true, contacts: { email: 'lee@x.test', mobile: '+15550100001', slackHandle: null, teamsHandle: null }, quietHours: { start: '22:00', end: '07:00', timeZone: 'UTC' } },
          { id: 'u2', username: 'gone', displayName: 'Gone', roles: ['it_lead'], vendorOrg: null, enabled: false, contacts: { email: 'gone@x.test', mobile: null, slackHandle: null, teamsHandle: null } },
        ],
      });
    };
    const r = new IdentityRecipientResolver({ baseUrl: 'http://identity/', tokenUrl: 'http://kc/token', clientId: 'tierline-notification', clientSecret: 's', fetch: fake });
    const people = await r.resolve([{ kind: 'it_lead' }, { kind: 'vendor', vendorOrgId: 'acme-it' }], { ticketId: 't', siteId: 'north' });
    expect(people).toEqual([
      { userId: 'u1', username: 'lee.lead', displayName: 'Lee Lead', email: 'lee@x.test', mobile: '+15550100001', quietHours: { start: '22:00', end: '07:00', timeZone: 'UTC' }, isVendor: false },
      { userId: 'v1', username: 'val.vendor', displayName: 'Val Vendor', email: 'val@acme.test', isVendor: true },
    ]);
    expect(calls[0]!.body).toContain('grant_type=client_credentials');
    expect(calls[0]!.body).toContain('client_id=tierline-notification');
    expect(calls.filter((c) => c.url.endsWith('/token')), 'token is cached').toHaveLength(1);
    expect(calls[1]!.url).toBe('http://identity/api/v1/directory/users?role=it_lead');
    expect(calls[2]!.url).toBe('http://identity/api/v1/directory/users?vendorOrg=acme-it');
    expect(calls[1]!.auth).toBe('Bearer sa-token');
  });
  it('refuses team targets instead of paging the whole directory', async () => {
    const r = new IdentityRecipientResolver({ baseUrl: 'http://identity', tokenUrl: 'http://kc/token', clientId: 'c', clientSecret: 's', fetch: async () => Response.json({ users: [] }) });
    await expect(r.resolve([{ kind: 'team', teamId: 'it-tier1' }], { ticketId: 't', siteId: 'x' })).rejects.toThrow(/cannot be resolved/);
  });
  it('fails (so the command is retried) when the directory answers an error', async () => {
    const fake: typeof fetch = async (input) => ((input as string).endsWith('/token') ? Response.json({ access_token: 't', expires_in: 300 }) : new Response('no', { status: 503 }));
    const r = new IdentityRecipientResolver({ baseUrl: 'http://identity', tokenUrl: 'http://kc/token', clientId: 'c', clientSecret: 's', fetch: fake });
    await expect(r.resolve([{ kind: 'it_lead' }], { ticketId: 't', siteId: 'x' })).rejects.toThrow(/HTTP 503/);
  });
});
