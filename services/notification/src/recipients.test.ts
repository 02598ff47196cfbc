import { describe, expect, it } from 'vitest';
import { IdentityRecipientResolver, LookupFailed } from './recipients.js';
import type { ServiceToken } from '@tierline/platform';

/**
 * What the resolver asks and how it reads the answers, against recorded answers of the two
 * services. The same resolver runs against the real identity and ticket services in
 * delivery.int.test.ts, crash.int.test.ts and escalation-email.int.test.ts.
 */
const urlOf = (input: Parameters<typeof fetch>[0]) => (typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);

function fakeServices(routes: Record<string, (url: URL) => Response>) {
  const calls: string[] = [];
  const fake: typeof fetch = async (input) => {
    const url = new URL(urlOf(input));
    calls.push(`${url.host}${url.pathname}${url.search}`);
    const hit = Object.entries(routes).find(([prefix]) => `${url.host}${url.pathname}`.startsWith(prefix));
    return hit ? hit[1](url) : new Response('{}', { status: 404 });
  };
  return { calls, fake };
}

const token = (): ServiceToken & { invalidated: number } => {
  const t = { invalidated: 0, get: async () => 'sa-token', invalidate: () => void t.invalidated++ };
  return t;
};

const user = (id: string, username: string, extra: Record<string, unknown> = {}) => ({
  id,
  username,
  displayName: username,
  roles: ['it_agent'],
  vendorOrg: null,
  enabled: true,
  contacts: { email: `${username}@x.test`, mobile: null, slackHandle: null, teamsHandle: null },
  quietHours: null,
  ...extra,
});

describe('IdentityRecipientResolver', () => {
  it('resolves a team through the ticket service, its available members in one directory call by username', async () => {
    const { calls, fake } = fakeServices({
      'ticket/api/v1/teams/it-tier1': () =>
        Response.json({ id: 'it-tier1', leadUsername: 'lee.lead', members: [{ username: 'alex.agent', available: true }, { username: 'otto.oncall', available: true }, { username: 'ill.person', available: false }] }),
      'identity/api/v1/directory/users': (u) => Response.json({ users: u.searchParams.getAll('username').map((n, i) => user(`id-${i}`, n)) }),
    });
    const r = new IdentityRecipientResolver({ identityUrl: 'http://identity/', ticketUrl: 'http://ticket', token: token(), fetch: fake });
    const res = await r.resolve([{ kind: 'team', teamId: 'it-tier1' }]);
    expect(res.recipients.map((p) => p.username)).toEqual(['alex.agent', 'otto.oncall']);
    expect(calls).toEqual(['ticket/api/v1/teams/it-tier1', 'identity/api/v1/directory/users?username=alex.agent&username=otto.oncall']);
  });

  it('finds the leads of the teams a page was for, once each, for the failure alert', async () => {
    const { calls, fake } = fakeServices({
      'ticket/api/v1/teams/it-tier2': () => Response.json({ id: 'it-tier2', leadUsername: 'lee.lead', members: [] }),
      'ticket/api/v1/teams/no-lead': () => Response.json({ id: 'no-lead', leadUsername: null, members: [] }),
      'identity/api/v1/directory/users': (u) => Response.json({ users: u.searchParams.getAll('username').map((n) => user(`id-${n}`, n, { roles: ['it_lead'] })) }),
    });
    const r = new IdentityRecipientResolver({ identityUrl: 'http://identity', ticketUrl: 'http://ticket', token: token(), fetch: fake });
    const leads = await r.teamLeads(['it-tier2', 'no-lead', 'it-tier2']);
    expect(leads.map((p) => p.username)).toEqual(['lee.lead']);
    expect(calls.filter((c) => c.startsWith('ticket/'))).toEqual(['ticket/api/v1/teams/it-tier2', 'ticket/api/v1/teams/no-lead']);
    expect(await r.teamLeads([])).toEqual([]);
  });

  it('pages whoever is on call now, and the team lead when nobody is', async () => {
    const now = new Date('2031-05-05T03:00:00Z');
    let shifts = [{ username: 'otto.oncall', startsAt: '2031-05-05T00:00:00Z', endsAt: '2031-05-05T08:00:00Z' }];
    const { calls, fake } = fakeServices({
      'ticket/api/v1/teams/it-tier1/on-call/schedule': () => Response.json({ items: shifts }),
      'ticket/api/v1/teams/it-tier1': () => Response.json({ id: 'it-tier1', leadUsername: 'lee.lead', members: [] }),
      'identity/api/v1/directory/users': (u) => Response.json({ users: u.searchParams.getAll('username').map((n) => user(`id-${n}`, n)) }),
    });
    const r = new IdentityRecipientResolver({ identityUrl: 'http://identity', ticketUrl: 'http://ticket', token: token(), fetch: fake, now: () => now });
    expect((await r.resolve([{ kind: 'on_call', teamId: 'it-tier1' }])).recipients.map((p) => p.username)).toEqual(['otto.oncall']);
    expect(calls[0]).toBe('ticket/api/v1/teams/it-tier1/on-call/schedule?from=2031-05-05T03%3A00%3A00.000Z&to=2031-05-05T03%3A00%3A00.001Z');
    shifts = [];
    expect((await r.resolve([{ kind: 'on_call', teamId: 'it-tier1' }])).recipients.map((p) => p.username)).toEqual(['lee.lead']);
  });

  it('maps contacts, quiet hours and vendors (with the organisation of the target), skips disabled people and dedupes', async () => {
    const val = user('v1', 'val.vendor', { roles: ['vendor'], vendorOrg: 'acme-it', contacts: { email: 'val@acme.test', mobile: '+15550100004', slackHandle: null, teamsHandle: null } });
    const lee = user('u1', 'lee.lead', { roles: ['it_lead'], contacts: { email: 'lee@x.test', mobile: null, slackHandle: 'U1', teamsHandle: 'lee@teams' }, quietHours: { start: '22:00', end: '07:00', timeZone: 'UTC' } });
    const gone = user('u2', 'gone', { roles: ['it_lead'], enabled: false });
    const { calls, fake } = fakeServices({
      'identity/api/v1/directory/users': (u) =>
        Response.json({ users: u.searchParams.get('vendorOrg') === 'acme-it' ? [val] : u.searchParams.get('role') === 'it_lead' ? [lee, gone] : u.searchParams.get('id') === 'u1' ? [lee] : [] }),
    });
    const r = new IdentityRecipientResolver({ identityUrl: 'http://identity', ticketUrl: 'http://ticket', token: token(), fetch: fake });
    const res = await r.resolve([{ kind: 'it_lead' }, { kind: 'vendor', vendorOrgId: 'acme-it' }, { kind: 'user', userId: 'u1' }]);
    expect(res.recipients).toEqual([
      { userId: 'u1', username: 'lee.lead', displayName: 'lee.lead', email: 'lee@x.test', slackHandle: 'U1', teamsHandle: 'lee@teams', quietHours: { start: '22:00', end: '07:00', timeZone: 'UTC' }, isVendor: false },
      { userId: 'v1', username: 'val.vendor', displayName: 'val.vendor', email: 'val@acme.test', mobile: '+15550100004', isVendor: true, vendorOrgId: 'acme-it' },
    ]);
    expect(res.unresolved).toEqual([]);
    expect(calls).toEqual(['identity/api/v1/directory/users?role=it_lead', 'identity/api/v1/directory/users?vendorOrg=acme-it', 'identity/api/v1/directory/users?id=u1']);
  });

  it('names the targets that name nobody instead of failing the whole command', async () => {
    const { fake } = fakeServices({
      'identity/api/v1/directory/users': (u) => Response.json({ users: u.searchParams.get('username') === 'lee.lead' ? [user('u1', 'lee.lead')] : [] }),
    });
    const r = new IdentityRecipientResolver({ identityUrl: 'http://identity', ticketUrl: 'http://ticket', token: token(), fetch: fake });
    const res = await r.resolve([{ kind: 'team', teamId: 'ghosts' }, { kind: 'vendor', vendorOrgId: 'nobody-inc' }, { kind: 'user', userId: 'lee.lead' }]);
    expect(res.recipients.map((p) => p.username)).toEqual(['lee.lead']);
    expect(res.unresolved).toEqual([
      { target: { kind: 'team', teamId: 'ghosts' }, reason: 'team ghosts does not exist' },
      { target: { kind: 'vendor', vendorOrgId: 'nobody-inc' }, reason: 'vendor nobody-inc names nobody (enabled) in the directory' },
    ]);
  });

  it('throws LookupFailed (so the command is retried) when a service is down or refuses, and drops a refused token', async () => {
    const t = token();
    const down: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(new IdentityRecipientResolver({ identityUrl: 'http://identity', ticketUrl: 'http://ticket', token: t, fetch: down }).resolve([{ kind: 'it_lead' }])).rejects.toThrow(LookupFailed);
    const { fake } = fakeServices({ 'identity/': () => new Response('{}', { status: 401 }), 'ticket/': () => new Response('{}', { status: 503 }) });
    const r = new IdentityRecipientResolver({ identityUrl: 'http://identity', ticketUrl: 'http://ticket', token: t, fetch: fake });
    await expect(r.resolve([{ kind: 'it_lead' }])).rejects.toThrow(/identity directory: HTTP 401/);
    expect(t.invalidated).toBe(1);
    await expect(r.resolve([{ kind: 'team', teamId: 'it-tier1' }])).rejects.toThrow(/team it-tier1: HTTP 503/);
  });
});
