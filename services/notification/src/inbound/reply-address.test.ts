import { describe, expect, it } from 'vitest';
import { matchAddress, replyAddressFor } from './reply-address.js';

const cfg = { helpdeskAddress: 'help@clinic.example', keys: ['first-key-0123456789abcdef'] };

describe('reply addresses', () => {
  it('carry the ticket number and a token that verifies for that number only', () => {
    const a = replyAddressFor('IT-1042', cfg);
    expect(a).toMatch(/^help\+it-1042\.[0-9a-f]{24}@clinic\.example$/);
    expect(matchAddress(a, cfg)).toEqual({ kind: 'reply', ticketNumber: 'IT-1042' });
    // The same token under another number: forged.
    const token = a.split('.')[1]!.split('@')[0]!;
    expect(matchAddress(`help+it-1043.${token}@clinic.example`, cfg)).toEqual({ kind: 'forged', ticketNumber: 'IT-1043' });
  });

  it('survive a relay or client changing the case', () => {
    const a = replyAddressFor('IT-7', cfg).toUpperCase();
    expect(matchAddress(a, cfg)).toEqual({ kind: 'reply', ticketNumber: 'IT-7' });
  });

  it('refuse an altered, truncated or missing token', () => {
    const a = replyAddressFor('IT-1042', cfg);
    const flipped = a.replace(/\.([0-9a-f])/, (_m, c: string) => `.${c === '0' ? '1' : '0'}`);
    expect(matchAddress(flipped, cfg).kind).toBe('forged');
    expect(matchAddress(a.replace(/[0-9a-f]@/, '@'), cfg).kind).toBe('forged');
    expect(matchAddress('help+it-1042@clinic.example', cfg).kind).toBe('forged');
    expect(matchAddress('help+it-1042.zzzzzzzzzzzzzzzzzzzzzzzz@clinic.example', cfg).kind).toBe('forged');
  });

  it('differ per key, and verify with any listed key (rotation: the first signs)', () => {
    const old = replyAddressFor('IT-1042', cfg);
    const rotated = { ...cfg, keys: ['second-key-0123456789abcdef', 'first-key-0123456789abcdef'] };
    const fresh = replyAddressFor('IT-1042', rotated);
    expect(fresh).not.toBe(old);
    expect(matchAddress(old, rotated).kind).toBe('reply');
    expect(matchAddress(fresh, rotated).kind).toBe('reply');
    // Once the old key is removed, its addresses no longer verify.
    expect(matchAddress(old, { ...cfg, keys: ['second-key-0123456789abcdef'] }).kind).toBe('forged');
  });

  it('tell the help-desk address and foreign addresses apart', () => {
    expect(matchAddress('Help@Clinic.Example', cfg)).toEqual({ kind: 'helpdesk' });
    expect(matchAddress('help@elsewhere.example', cfg)).toEqual({ kind: 'other' });
    expect(matchAddress('helpdesk@clinic.example', cfg)).toEqual({ kind: 'other' });
    expect(matchAddress('not an address', cfg)).toEqual({ kind: 'other' });
  });
});
