import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import type { AssignmentRulesInput, MemberBody, OnCallShiftBody, RotationBody, TeamBody } from '@tierline/contracts';
import { ApiError } from '../../../lib/api/client.js';

const keys = {
  teams: ['assignment', 'teams'] as const,
  rules: ['assignment', 'rules'] as const,
  onCall: (teamId: string) => ['assignment', 'on-call', teamId] as const,
  rotation: (teamId: string) => ['assignment', 'rotation', teamId] as const,
  directory: ['assignment', 'directory'] as const,
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

/** DELETE /api/v1/teams/{id}/members/{username}. */
export function useRemoveMember(teamId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (username: string) => call(api.ticket.DELETE('/api/v1/teams/{id}/members/{username}', { params: { path: { id: teamId, username } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.teams }),
  });
}

/** IT people in the directory (agents and leads), whom a lead can add to a team; loaded once `enabled` (a search is typed). */
export function useItDirectory(enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: keys.directory,
    enabled,
    queryFn: async ({ signal }) => {
      const [agents, leads] = await Promise.all(
        (['it_agent', 'it_lead'] as const).map((role) => call(api.identity.GET('/api/v1/directory/users', { params: { query: { role } }, signal })).then((r) => r.users)),
      );
      const byId = new Map([...agents!, ...leads!].filter((u) => u.enabled).map((u) => [u.id, u]));
      return [...byId.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
    },
  });
}

/** GET /api/v1/teams/{id}/rotation; null when the team has none. */
export function useRotation(teamId: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.rotation(teamId),
    queryFn: ({ signal }) =>
      call(api.ticket.GET('/api/v1/teams/{id}/rotation', { params: { path: { id: teamId } }, signal })).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }),
  });
}

/** Who is on call from now for `days` days: the rotation cut around the overrides. */
export function useSchedule(teamId: string, days = 28) {
  const api = useApi();
  return useQuery({
    queryKey: [...keys.onCall(teamId), 'schedule', days],
    queryFn: ({ signal }) => {
      const from = new Date();
      const to = new Date(from.getTime() + days * 86_400_000);
      return call(
        api.ticket.GET('/api/v1/teams/{id}/on-call/schedule', { params: { path: { id: teamId }, query: { from: from.toISOString(), to: to.toISOString() } }, signal }),
      ).then((r) => r.items);
    },
  });
}

export function useSaveRotation(teamId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RotationBody) => call(api.ticket.PUT('/api/v1/teams/{id}/rotation', { params: { path: { id: teamId } }, body })),
    onSuccess: async (rotation) => {
      queryClient.setQueryData(keys.rotation(teamId), rotation);
      await queryClient.invalidateQueries({ queryKey: keys.onCall(teamId) });
    },
  });
}

export function useRemoveRotation(teamId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => call(api.ticket.DELETE('/api/v1/teams/{id}/rotation', { params: { path: { id: teamId } } })),
    onSuccess: async () => {
      queryClient.setQueryData(keys.rotation(teamId), null);
      await queryClient.invalidateQueries({ queryKey: keys.onCall(teamId) });
    },
  });
}

/** PUT /api/v1/teams/{id}: the team with new working hours (the body built by `toTeamBody`). */
export function useSaveTeam(teamId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TeamBody) => call(api.ticket.PUT('/api/v1/teams/{id}', { params: { path: { id: teamId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.teams }),
  });
}
