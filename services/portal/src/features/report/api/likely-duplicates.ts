import { useQuery } from '@tanstack/react-query';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import type { components, paths } from '../../../lib/api/ticket.gen.js';

export type LikelyDuplicates = components['schemas']['LikelyDuplicates'];
export type LikelyDuplicate = components['schemas']['LikelyDuplicate'];
type Query = NonNullable<paths['/api/v1/tickets/likely-duplicates']['get']['parameters']['query']>;

export const likelyDuplicateKeys = {
  forReport: (siteId: string, category: string) => ['likely-duplicates', 'report', siteId, category] as const,
  forTicket: (ticketId: string) => ['likely-duplicates', 'ticket', ticketId] as const,
};

function useLikelyDuplicates(key: readonly unknown[], query: Query, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: key,
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/tickets/likely-duplicates', { params: { query }, signal })),
    enabled,
    // A reporter may take a while to fill in the rest; what IT knows changes slowly.
    staleTime: 30_000,
  });
}

/**
 * GET /api/v1/tickets/likely-duplicates for a report about to be made: asked as soon as both the
 * site and the category are chosen (docs/decisions/0042).
 */
export function useReportDuplicates(siteId: string, category: string) {
  const site = siteId.trim();
  return useLikelyDuplicates(likelyDuplicateKeys.forReport(site, category), { siteId: site, category }, site !== '' && category !== '');
}

/** The same for a ticket IT is looking at (only earlier reports count, the ticket itself is left out). */
export function useTicketDuplicates(ticketId: string, enabled: boolean) {
  return useLikelyDuplicates(likelyDuplicateKeys.forTicket(ticketId), { ticketId }, enabled);
}
