import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateSite, CreateVendorOrg, InviteUser, InviteVendorPerson, Role, UpdateSite, UpdateVendorOrg } from '@tierline/contracts';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import type { components } from '../../../lib/api/identity.gen.js';

export type DirectoryUser = components['schemas']['DirectoryUser'];
export type Site = components['schemas']['Site'];
export type VendorOrg = components['schemas']['VendorOrg'];

const keys = {
  users: ['admin', 'users'] as const,
  usersMatching: (q: string) => ['admin', 'users', q] as const,
  sites: ['admin', 'sites'] as const,
  vendorOrgs: ['admin', 'vendor-orgs'] as const,
  people: (orgId: string) => ['admin', 'vendor-orgs', orgId, 'people'] as const,
};

/** GET /api/v1/directory/users?q=…: everyone, or those whose name, username or e-mail contains `q`. */
export function useUsers(q: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.usersMatching(q),
    queryFn: ({ signal }) => call(api.identity.GET('/api/v1/directory/users', { params: { query: q ? { q } : {} }, signal })).then((r) => r.users),
  });
}

/** After a change to people: every user list, and the organisations' head counts. */
function useRefreshPeople() {
  const queryClient = useQueryClient();
  return () => Promise.all([queryClient.invalidateQueries({ queryKey: keys.users }), queryClient.invalidateQueries({ queryKey: keys.vendorOrgs })]);
}

/** POST /api/v1/directory/users: the account, and the e-mailed link that sets the password (and the second factor). */
export function useInviteUser() {
  const api = useApi();
  const refresh = useRefreshPeople();
  return useMutation({ mutationFn: (body: InviteUser) => call(api.identity.POST('/api/v1/directory/users', { body })), onSuccess: refresh });
}

/** PUT /api/v1/directory/users/{id}/roles. */
export function useSetRoles() {
  const api = useApi();
  const refresh = useRefreshPeople();
  return useMutation({
    mutationFn: ({ id, roles }: { id: string; roles: Role[] }) => call(api.identity.PUT('/api/v1/directory/users/{id}/roles', { params: { path: { id } }, body: { roles } })),
    onSuccess: refresh,
  });
}

/** POST /api/v1/directory/users/{id}/disable or /enable. */
export function useSetEnabled() {
  const api = useApi();
  const refresh = useRefreshPeople();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      call(enabled ? api.identity.POST('/api/v1/directory/users/{id}/enable', { params: { path: { id } } }) : api.identity.POST('/api/v1/directory/users/{id}/disable', { params: { path: { id } } })),
    onSuccess: refresh,
  });
}

/** GET /api/v1/sites. */
export function useSites() {
  const api = useApi();
  return useQuery({ queryKey: keys.sites, queryFn: ({ signal }) => call(api.identity.GET('/api/v1/sites', { signal })).then((r) => r.sites) });
}

export function useCreateSite() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateSite) => call(api.identity.POST('/api/v1/sites', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.sites }),
  });
}

export function useUpdateSite() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateSite }) => call(api.identity.PATCH('/api/v1/sites/{id}', { params: { path: { id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.sites }),
  });
}

/** GET /api/v1/directory/vendor-orgs. */
export function useVendorOrgs() {
  const api = useApi();
  return useQuery({ queryKey: keys.vendorOrgs, queryFn: ({ signal }) => call(api.identity.GET('/api/v1/directory/vendor-orgs', { signal })).then((r) => r.vendorOrgs) });
}

export function useCreateVendorOrg() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateVendorOrg) => call(api.identity.POST('/api/v1/directory/vendor-orgs', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.vendorOrgs }),
  });
}

export function useUpdateVendorOrg() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateVendorOrg }) => call(api.identity.PATCH('/api/v1/directory/vendor-orgs/{id}', { params: { path: { id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.vendorOrgs }),
  });
}

/** GET /api/v1/directory/vendor-orgs/{id}/people. */
export function useVendorPeople(orgId: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.people(orgId),
    queryFn: ({ signal }) => call(api.identity.GET('/api/v1/directory/vendor-orgs/{id}/people', { params: { path: { id: orgId } }, signal })).then((r) => r.users),
  });
}

export function useInviteVendorPerson(orgId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const refresh = useRefreshPeople();
  return useMutation({
    mutationFn: (body: InviteVendorPerson) => call(api.identity.POST('/api/v1/directory/vendor-orgs/{id}/people', { params: { path: { id: orgId } }, body })),
    onSuccess: () => Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: keys.people(orgId) })]),
  });
}

export function useRemoveVendorPerson(orgId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const refresh = useRefreshPeople();
  return useMutation({
    mutationFn: (userId: string) => call(api.identity.DELETE('/api/v1/directory/vendor-orgs/{id}/people/{userId}', { params: { path: { id: orgId, userId } } })),
    onSuccess: () => Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: keys.people(orgId) })]),
  });
}
