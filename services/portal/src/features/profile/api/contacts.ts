import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Contacts } from '@tierline/contracts';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';

const contactsKey = ['me', 'contacts'] as const;

/** GET /api/v1/me/contacts: mine, empty until set. */
export function useMyContacts() {
  const api = useApi();
  return useQuery({ queryKey: contactsKey, queryFn: () => call(api.identity.GET('/api/v1/me/contacts')) });
}

/** PUT /api/v1/me/contacts: replaces them; the answer is what is saved. */
export function useSaveContacts() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Contacts) => call(api.identity.PUT('/api/v1/me/contacts', { body })),
    onSuccess: (saved) => queryClient.setQueryData(contactsKey, saved),
  });
}
