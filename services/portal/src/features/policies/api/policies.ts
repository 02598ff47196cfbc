import { useCallback } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import type { EscalationPolicy, PolicyDraftResponse } from '../../../lib/api/types.js';

const keys = {
  draft: ['policies', 'draft'] as const,
  versions: ['policies', 'versions'] as const,
};

/** The editor sends what is typed as it stands: the server, not the bundle, judges its shape. */
export const asPolicy = (value: object) => value as EscalationPolicy;
const ifMatch = (lockVersion: number) => `"${lockVersion}"`;

/** GET /api/v1/policies/draft: the one working copy, with its issues and lockVersion. */
export function usePolicyDraft() {
  const api = useApi();
  return useQuery({ queryKey: keys.draft, queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/policies/draft', { signal })) });
}

/** GET /api/v1/policies/versions, newest first. */
export function usePolicyVersions() {
  const api = useApi();
  return useQuery({ queryKey: keys.versions, queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/policies/versions', { signal })) });
}

/** POST /api/v1/policies/draft/validate: the same checks as publishing, on what is typed. */
export function useValidatePolicy() {
  const api = useApi();
  return useCallback((policy: object, signal: AbortSignal) => call(api.ticket.POST('/api/v1/policies/draft/validate', { body: asPolicy(policy), signal })), [api]);
}

/** PUT /api/v1/policies/draft with If-Match: 409 when someone saved in between. */
export function useSaveDraft() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ policy, lockVersion }: { policy: object; lockVersion: number }) =>
      call(api.ticket.PUT('/api/v1/policies/draft', { body: asPolicy(policy), params: { header: { 'if-match': ifMatch(lockVersion) } } })),
    onSuccess: (d: PolicyDraftResponse) => queryClient.setQueryData(keys.draft, d),
  });
}

/** POST /api/v1/policies/draft/publish with the lockVersion reviewed; the draft and the versions are read again after. */
export function usePublishDraft() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ notes, lockVersion }: { notes: string; lockVersion: number }) =>
      call(api.ticket.POST('/api/v1/policies/draft/publish', { body: { notes }, params: { header: { 'if-match': ifMatch(lockVersion) } } })),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: keys.draft }), queryClient.invalidateQueries({ queryKey: keys.versions })]),
  });
}

const versionRef = (v: string): number | 'draft' => (v === 'draft' ? 'draft' : Number(v));

/** GET /api/v1/policies/diff between two versions (or "draft"). */
export function usePolicyDiff() {
  const api = useApi();
  return useMutation({
    mutationFn: ({ from, to }: { from: string; to: string }) => call(api.ticket.GET('/api/v1/policies/diff', { params: { query: { from: versionRef(from), to: versionRef(to) } } })),
  });
}

/** POST /api/v1/policies/migrate: every open ticket on an older version onto `toVersion`. */
export function useMigrateTickets() {
  const api = useApi();
  return useMutation({
    mutationFn: ({ toVersion, reason }: { toVersion: number; reason: string }) => call(api.ticket.POST('/api/v1/policies/migrate', { body: { toVersion, filter: {}, reason } })),
  });
}
