import { useMutation, useQueryClient } from '@tanstack/react-query';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import { ticketKeys } from './tickets.js';

/**
 * The two major-incident routes of the ticket service this link uses (docs/decisions/0041):
 * declare the match a major incident, then link this ticket as its child. Typed here by their
 * path and body only, through a narrow view of the ticket client, because their generated types
 * arrive with those routes; both answer the incident, which this only refreshes.
 */
interface IncidentLinkClient {
  POST(path: '/api/v1/tickets/{id}/declare-incident', init: { params: { path: { id: string } } }): Promise<{ data?: unknown; error?: unknown; response: Response }>;
  POST(path: '/api/v1/tickets/{id}/children', init: { params: { path: { id: string } }; body: { ticketId: string } }): Promise<{ data?: unknown; error?: unknown; response: Response }>;
}

/**
 * IT's one click on a likely duplicate (docs/decisions/0042): link `ticketId` to the match as its
 * child; a match that is not a major incident yet is declared one first. Both calls are
 * idempotent on the server, so a retry after a half-done click finishes the job.
 */
export function useLinkDuplicate(ticketId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const incidents = api.ticket as unknown as IncidentLinkClient;
  return useMutation({
    mutationFn: async (match: { ticketId: string; majorIncident: boolean }) => {
      if (!match.majorIncident) await call(incidents.POST('/api/v1/tickets/{id}/declare-incident', { params: { path: { id: match.ticketId } } }));
      await call(incidents.POST('/api/v1/tickets/{id}/children', { params: { path: { id: match.ticketId } }, body: { ticketId } }));
    },
    onSuccess: (_r, match) => {
      void queryClient.invalidateQueries({ queryKey: ticketKeys.ticket(ticketId) });
      void queryClient.invalidateQueries({ queryKey: ticketKeys.ticket(match.ticketId) });
      void queryClient.invalidateQueries({ queryKey: ['likely-duplicates'] });
    },
  });
}
