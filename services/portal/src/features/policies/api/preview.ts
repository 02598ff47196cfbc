import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import type { Priority } from '../../../lib/api/types.js';
import { asPolicy } from './policies.js';

/**
 * POST /api/v1/policies/preview: every step the policy (the text being edited) takes for a ticket
 * of this priority opened now that nobody acknowledges or resolves, computed by the server with
 * the workflow's own calendar and escalation code. Asked again when the text settles and every
 * minute (the instants move with "now"); the last preview stays shown meanwhile.
 */
export function usePolicyPreview(policy: object | null, priority: Priority) {
  const api = useApi();
  return useQuery({
    queryKey: ['policies', 'preview', priority, policy],
    queryFn: ({ signal }) => call(api.ticket.POST('/api/v1/policies/preview', { body: { policy: asPolicy(policy!), priority }, signal })),
    enabled: policy !== null,
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
    staleTime: 0,
  });
}
