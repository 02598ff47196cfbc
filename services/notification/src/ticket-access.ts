import { AppError } from '@tierline/platform';

/**
 * Whether the caller may see a ticket. This service knows nothing of tickets' sites, requesters
 * or vendors, and must not keep a second copy of the ticket service's read rule (it would drift),
 * so it asks the ticket service itself, with the caller's own token: `GET /api/v1/tickets/{id}`
 * answers 200 exactly to those who may read the ticket, and 404 to everyone else (missing or not
 * theirs, so ids cannot be probed). Resolves when visible; throws the AppError to answer otherwise.
 */
export type TicketAccess = (ticketId: string, bearerToken: string) => Promise<void>;

export function createTicketAccess(opts: { ticketUrl: string; timeoutMs?: number; fetch?: typeof fetch }): TicketAccess {
  const base = opts.ticketUrl.replace(/\/$/, '');
  return async (ticketId, bearerToken) => {
    let res: Response;
    try {
      res = await (opts.fetch ?? fetch)(`${base}/api/v1/tickets/${encodeURIComponent(ticketId)}`, {
        headers: { authorization: `Bearer ${bearerToken}` },
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch {
      throw new AppError('UNAVAILABLE', 'the ticket service is unreachable; cannot check access to the ticket');
    }
    // Only the status matters; the ticket's content is not this service's to pass on.
    await res.body?.cancel();
    if (res.status === 200) return;
    if (res.status === 404 || res.status === 403) throw new AppError('NOT_FOUND', `no ticket ${ticketId}`);
    if (res.status === 401) throw new AppError('UNAUTHORIZED', 'the ticket service refused the access token');
    throw new AppError('UNAVAILABLE', `the ticket service answered ${res.status}; cannot check access to the ticket`);
  };
}
