import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import type { AssignmentRulesInput, MemberBody, OnCallShiftBody } from '@tierline/contracts';

const keys = {
  teams: ['assignment', 'teams'] as const,
  rules: ['assignment', 'rules'] as const,
  onCall: (teamId: string) => ['assignment', 'on-call', teamId] as const,
};

/** GET /api/v1/teams: the teams with their members. */
export function useTeams() {
  const api = useApi();
  return useQuery({ queryKey: keys.teams, queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/teams', { signal })).then((r) => r.items) });
}

/** GET /api/v1/assignment-rules, in position order. */
export function useAssignmentRules() {
  const api = useApi();
  return useQuery({ queryKey: keys.rules, queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/assignment-rules', { signal })).then((r) => r.rules) });
}

/** PUT /api/v1/assignment-rules: the whole list, in order. */
export function useSaveAssignmentRules() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (rules: AssignmentRulesInput['rules']) => call(api.ticket.PUT('/api/v1/assignment-rules', { body: { rules } })).then((r) => r.rules),
    onSuccess: (rules) => queryClient.setQueryData(keys.rules, rules),
  });
}

/** PUT /api/v1/teams/{id}/members/{username} with the body built by `memberBody` (checked by MemberBodySchema). */
export function useSaveMember(teamId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ username, body }: { username: string; body: MemberBody }) =>
      call(api.ticket.PUT('/api/v1/teams/{id}/members/{username}', { params: { path: { id: teamId, username } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.teams }),
  });
}

/** A team's on-call shifts, by start. */
export function useOnCall(teamId: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.onCall(teamId),
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/teams/{id}/on-call', { params: { path: { id: teamId } }, signal })).then((r) => r.items),
  });
}

export function useAddShift(teamId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: OnCallShiftBody) => call(api.ticket.POST('/api/v1/teams/{id}/on-call', { params: { path: { id: teamId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.onCall(teamId) }),
  });
}

export function useRemoveShift(teamId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (shiftId: string) => call(api.ticket.DELETE('/api/v1/teams/{id}/on-call/{shiftId}', { params: { path: { id: teamId, shiftId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.onCall(teamId) }),
  });
}
