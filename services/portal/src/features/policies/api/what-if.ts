import { useMutation } from '@tanstack/react-query';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import { asPolicy } from './policies.js';

/**
 * POST /api/v1/policies/what-if: the last `days` days' real tickets replayed on the policy being
 * edited and on the current version. Asked on demand: it reads every ticket of the period.
 */
export function usePolicyWhatIf() {
  const api = useApi();
  return useMutation({
    mutationFn: ({ policy, days }: { policy: object; days: number }) => call(api.ticket.POST('/api/v1/policies/what-if', { body: { policy: asPolicy(policy), days } })),
  });
}
