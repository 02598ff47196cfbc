import { useMutation, useQueryClient } from '@tanstack/react-query';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import type { CreateTicketRequest } from '../../../lib/api/types.js';
import { ticketKeys } from '../../tickets/api/tickets.js';

/** POST /api/v1/tickets; the new ticket is put in the cache, so its page opens without a second fetch. */
export function useCreateTicket() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateTicketRequest) => call(api.ticket.POST('/api/v1/tickets', { body })),
    onSuccess: (ticket) => {
      queryClient.setQueryData(ticketKeys.ticket(ticket.id), ticket);
      void queryClient.invalidateQueries({ queryKey: ['tickets', 'list'] });
    },
  });
}
