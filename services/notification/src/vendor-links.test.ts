import { describe, expect, it } from 'vitest';
import type { NotifyCommand } from '@tierline/contracts';
import { createVendorLinkMinter, vendorLinkRequest, VendorLinkFailed } from './vendor-links.js';

/**
 * The request the minter sends and how it reads answers. Minting against the real identity
 * service runs in delivery.int.test.ts and escalation-email.int.test.ts.
 */
const cmd: NotifyCommand = {
  idempotencyKey: 'wf-1:level-2',
  template: 'escalation',
  ticketId: '4f9f3c43-0a48-4d0c-9a0b-8f8f3f0b6c11',
  ticketNumber: 'IT-1042',
  priority: 'P1',
  siteId: 'north',
  tier: 3,
  level: 2,
  targets: [{ kind: 'vendor', vendorOrgId: 'acme-it' }],
  channels: ['email'],
  deadlineAt: '2031-01-01T10:00:00.000Z',
  deadlineKind: 'vendor response',
  createdAt: '2031-01-01T08:00:00.000Z',
};
const val = { userId: 'kc-val', username: 'val.vendor', displayName: 'Val', isVendor: true, vendorOrgId: 'acme-it' };
const token = { get: async () => 'sa-token', invalidate: () => undefined };

describe('vendor link minting', () => {
  it('asks POST /api/v1/vendor-links with the contract body and the service token, and returns the link', async () => {
    const seen: { url: string; auth: string | null; body: unknown }[] = [];
    const fake: typeof fetch = async (input, init) => {
      seen.push({ url: input as string, auth: new Headers(init?.headers).get('authorization'), body: JSON.parse(init?.body as string) });
      return Response.json({ id: '9d7e3c43-0a48-4d0c-9a0b-8f8f3f0b6c11', url: 'http://id.test/v/a.b.c', expiresAt: '2031-01-01T12:00:00.000Z' }, { status: 201 });
    };
    const mint = createVendorLinkMinter({ identityUrl: 'http://id.test/', token, fetch: fake });
    const link = await mint(vendorLinkRequest(cmd, val));
    expect(link.url).toBe('http://id.test/v/a.b.c');
    expect(seen).toEqual([
      {
        url: 'http://id.test/api/v1/vendor-links',
        auth: 'Bearer sa-token',
        body: {
          ticketId: cmd.ticketId,
          ticketNumber: 'IT-1042',
          priority: 'P1',
          siteId: 'north',
          level: 2,
          vendorOrgId: 'acme-it',
          recipientId: 'kc-val',
          deadlineAt: '2031-01-01T10:00:00.000Z',
          idempotencyKey: 'wf-1:level-2',
        },
      },
    ]);
  });

  it('takes 200 (the same link again) like 201', async () => {
    const mint = createVendorLinkMinter({ identityUrl: 'http://id.test', token, fetch: async () => Response.json({ id: '5b0c6f3e-6a43-4d55-9d3c-0f8f5a1f2b7e', url: 'http://id.test/v/a.b.c', expiresAt: '2031-05-05T07:00:00.000Z' }) });
    expect((await mint(vendorLinkRequest(cmd, val))).url).toBe('http://id.test/v/a.b.c');
  });

  it('fails with the refusal message, on an unreachable service, and on an answer without a usable link', async () => {
    const refused = createVendorLinkMinter({
      identityUrl: 'http://id.test',
      token,
      fetch: async () => Response.json({ error: { code: 'UNPROCESSABLE', message: 'recipient kc-val is disabled', requestId: 'r' } }, { status: 422 }),
    });
    await expect(refused(vendorLinkRequest(cmd, val))).rejects.toThrow('vendor link for IT-1042 refused: HTTP 422: recipient kc-val is disabled');
    const down = createVendorLinkMinter({ identityUrl: 'http://id.test', token, fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    await expect(down(vendorLinkRequest(cmd, val))).rejects.toThrow(VendorLinkFailed);
    const odd = createVendorLinkMinter({ identityUrl: 'http://id.test', token, fetch: async () => Response.json({ id: 'x', url: 'javascript:alert(1)', expiresAt: 'later' }, { status: 201 }) });
    await expect(odd(vendorLinkRequest(cmd, val))).rejects.toThrow(/unexpected answer/);
  });

  it('refuses to build a request for a vendor without an organisation', () => {
    expect(() => vendorLinkRequest(cmd, { ...val, vendorOrgId: undefined })).toThrow(/has no vendor organisation/);
  });
});
