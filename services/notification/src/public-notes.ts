import { z } from 'zod';
import type { ServiceToken } from '@tierline/platform';
import { LookupFailed } from './recipients.js';

const CommentsSchema = z.object({ items: z.array(z.object({ id: z.string(), visibility: z.enum(['public', 'internal']), body: z.string() })) });

/** The words of one public note of a ticket; null when the ticket has no such public note. */
export type PublicNoteReader = (ticketId: string, noteId: string) => Promise<string | null>;

/**
 * Reads a ticket's public notes from the ticket service (`GET /api/v1/tickets/{id}/comments`,
 * which answers this service account with public notes only, and records the read), for the
 * email updates that carry IT's question, a public reply or the resolution (docs/decisions/0034).
 * An internal note is never returned by the service and is refused here again.
 */
export function createPublicNoteReader(opts: { ticketUrl: string; token: ServiceToken; timeoutMs?: number; fetch?: typeof fetch }): PublicNoteReader {
  const base = opts.ticketUrl.replace(/\/$/, '');
  return async (ticketId, noteId) => {
    let res: Response;
    try {
      res = await (opts.fetch ?? fetch)(`${base}/api/v1/tickets/${encodeURIComponent(ticketId)}/comments`, {
        headers: { authorization: `Bearer ${await opts.token.get()}` },
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new LookupFailed(`notes of ticket ${ticketId}: ticket service unreachable (${(err as Error).message})`);
    }
    if (res.status === 401) opts.token.invalidate();
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new LookupFailed(`notes of ticket ${ticketId}: HTTP ${res.status}`);
    }
    const parsed = CommentsSchema.safeParse(await res.json());
    if (!parsed.success) throw new LookupFailed(`notes of ticket ${ticketId}: unexpected answer`);
    const note = parsed.data.items.find((n) => n.id === noteId && n.visibility === 'public');
    return note ? note.body : null;
  };
}
