import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MaintenanceWindowCreate, MaintenanceWindowEdit } from '@tierline/contracts';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';

const keys = { windows: ['maintenance', 'windows'] as const };

/** GET /api/v1/maintenance-windows: scheduled, running, ended and cancelled, newest start first. */
export function useMaintenanceWindows() {
  const api = useApi();
  return useQuery({
    queryKey: keys.windows,
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/maintenance-windows', { signal })).then((r) => r.items),
    // A window's state moves with the clock (scheduled → running → ended).
    refetchInterval: 30_000,
  });
}

function useWindowMutation<A>(send: (api: ReturnType<typeof useApi>, a: A) => Promise<unknown>) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: (a: A) => send(api, a), onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.windows }) });
}

export const useScheduleWindow = () =>
  useWindowMutation((api, body: MaintenanceWindowCreate) => call(api.ticket.POST('/api/v1/maintenance-windows', { body })));
export const useEditWindow = () =>
  useWindowMutation((api, { id, body }: { id: string; body: MaintenanceWindowEdit }) =>
    call(api.ticket.PATCH('/api/v1/maintenance-windows/{id}', { params: { path: { id } }, body })),
  );
export const useEndWindow = () =>
  useWindowMutation((api, id: string) => call(api.ticket.POST('/api/v1/maintenance-windows/{id}/end', { params: { path: { id } } })));
export const useCancelWindow = () =>
  useWindowMutation((api, id: string) => call(api.ticket.POST('/api/v1/maintenance-windows/{id}/cancel', { params: { path: { id } } })));
