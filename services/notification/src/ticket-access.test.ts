import { describe, expect, it } from 'vitest';
import { AppError } from '@tierline/platform';
import { createTicketAccess } from './ticket-access.js';

/** How the ticket service's answers become this service's; the real exchange runs in delivery.int.test.ts. */
const access = (answer: () => Promise<Response>, seen: { url?: string; auth?: string | null } = {}) =>
  createTicketAccess({
    ticketUrl: 'http://ticket.test/',
    fetch: async (input, init) => {
      seen.url = input as string;
      seen.auth = new Headers(init?.headers).get('authorization');
      return answer();
    },
  });
const codeOf = async (p: Promise<void>) => p.then(() => 'allowed', (e: unknown) => (e instanceof AppError ? e.code : String(e)));

describe('ticket access through the ticket service', () => {
  it("asks GET /api/v1/tickets/{id} with the caller's own token and allows on 200", async () => {
    const seen: { url?: string; auth?: string | null } = {};
    expect(await codeOf(access(async () => Response.json({ id: 't' }), seen)('4f9f3c43-0a48-4d0c-9a0b-8f8f3f0b6c11', 'caller-token'))).toBe('allowed');
    expect(seen).toEqual({ url: 'http://ticket.test/api/v1/tickets/4f9f3c43-0a48-4d0c-9a0b-8f8f3f0b6c11', auth: 'Bearer caller-token' });
  });
  it.each([
    [404, 'NOT_FOUND'],
    [403, 'NOT_FOUND'],
    [401, 'UNAUTHORIZED'],
    [500, 'UNAVAILABLE'],
    [503, 'UNAVAILABLE'],
  ])('answers %i from the ticket service as %s', async (status, code) => {
    expect(await codeOf(access(async () => new Response('{}', { status }))('t', 'x'))).toBe(code);
  });
  it('answers UNAVAILABLE when the ticket service cannot be reached', async () => {
    expect(await codeOf(access(async () => Promise.reject(new TypeError('fetch failed')))('t', 'x'))).toBe('UNAVAILABLE');
  });
});
