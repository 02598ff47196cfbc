import { z } from 'zod';
import type { ServiceToken } from '@tierline/platform';

/** A failure a later attempt may not have (unreachable, 5xx, 401, 429): the message is retried. */
export class TransientError extends Error {
  override name = 'TransientError';
}

const PersonSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string().optional(),
  roles: z.array(z.string()),
  sites: z.array(z.string()),
  enabled: z.boolean().optional(),
  emailVerified: z.boolean().optional(),
});
export type DirectoryPerson = z.infer<typeof PersonSchema>;

export type TicketAnswer<T> = { ok: true; body: T } | { ok: false; status: number; message: string };

const slashless = (u: string) => u.replace(/\/$/, '');

/**
 * The calls mail-in makes, as the tierline-notification service account: the identity directory
 * (who sent this?) and the ticket service's inbound-email routes (open, comment).
 */
export function createInboundServices(opts: { identityUrl: string; ticketUrl: string; token: ServiceToken; timeoutMs: number }) {
  async function call(url: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, {
        ...init,
        // A FormData body sets its own multipart type and boundary.
        headers: { ...(typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}), authorization: `Bearer ${await opts.token.get()}` },
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (err) {
      throw new TransientError(`${new URL(url).pathname}: unreachable (${(err as Error).message})`);
    }
    if (res.status === 401) opts.token.invalidate();
    if (res.status === 401 || res.status === 403 || res.status === 429 || res.status >= 500) {
      throw new TransientError(`${new URL(url).pathname}: HTTP ${res.status}`);
    }
    return res;
  }

  async function ticketCall<T>(path: string, body: unknown): Promise<TicketAnswer<T>> {
    const res = await call(`${slashless(opts.ticketUrl)}${path}`, { method: 'POST', body: body instanceof FormData ? body : JSON.stringify(body) });
    const json = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    if (res.ok) return { ok: true, body: json as T };
    return { ok: false, status: res.status, message: json?.error?.message ?? `HTTP ${res.status}` };
  }

  return {
    /**
     * The enabled directory user whose verified account address this is; null for nobody, an
     * unverified address (the directory matches verified ones only) or an ambiguous address.
     */
    async personByEmail(address: string): Promise<DirectoryPerson | null> {
      const res = await call(`${slashless(opts.identityUrl)}/api/v1/directory/users?${new URLSearchParams({ email: address }).toString()}`);
      if (!res.ok) throw new TransientError(`identity directory: HTTP ${res.status}`);
      const parsed = z.object({ users: z.array(PersonSchema) }).safeParse(await res.json());
      if (!parsed.success) throw new TransientError('identity directory: unexpected answer');
      const people = parsed.data.users.filter((u) => u.enabled !== false && u.emailVerified !== false);
      return people.length === 1 ? people[0]! : null;
    },
    openTicket: (b: { requester: { id: string; username: string; roles: string[]; sites: string[] }; title: string; description: string; messageKey: string; attachments: number }) =>
      ticketCall<{ ticketId: string; number: string; siteId: string; replayed: boolean }>('/api/v1/inbound-email/tickets', b),
    comment: (b: { ticketNumber: string; author: { id: string; username: string; roles: string[]; sites: string[] }; body: string; messageKey: string; attachments: number }) =>
      ticketCall<{ ticketId: string; number: string; commentId: string }>('/api/v1/inbound-email/comments', b),
    /** One file of the mail onto its ticket; the ticket service stores it (the only writer to the bucket). */
    attach: (b: { ticketId: string; messageKey: string; index: number; uploader: { id: string; username: string; roles: string[]; sites: string[] }; fileName: string; bytes: Buffer }) => {
      const form = new FormData();
      form.append('ticketId', b.ticketId);
      form.append('messageKey', b.messageKey);
      form.append('index', String(b.index));
      form.append('uploader', JSON.stringify(b.uploader));
      form.append('file', new File([new Uint8Array(b.bytes)], b.fileName, { type: 'application/octet-stream' }));
      return ticketCall<{ attachmentId: string; ticketId: string; contentType: string; sizeBytes: number }>('/api/v1/inbound-email/attachments', form);
    },
  };
}
export type InboundServices = ReturnType<typeof createInboundServices>;
