import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import { ticketKeys } from '../../tickets/api/tickets.js';

/** The query keys of incidents: a ticket's incident side sits under its ticket, the banners on their own. */
export const incidentKeys = {
  incident: (id: string) => [...ticketKeys.ticket(id), 'incident'] as const,
  banners: ['status-banners'] as const,
};

/** A status post as the form sends it, with the idempotency key of this post. */
export interface StatusPost {
  message: string;
  nextUpdateAt: string | null;
  key: string;
}

export type IncidentOutcome = { ok: true } | { ok: false; message: string };

/** A refusal as one line for the form: the message and the field it names. */
export function incidentRefusal(err: unknown): IncidentOutcome {
  if (err instanceof ApiError) {
    const field = err.details[0];
    return { ok: false, message: field ? `${err.message} (${field.message})` : err.message };
  }
  return { ok: false, message: 'That did not work. Please try again.' };
}

/** GET /api/v1/tickets/{id}/incident: whether it is a major incident, its parent, children and status posts. */
export function useIncident(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: incidentKeys.incident(id),
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/tickets/{id}/incident', { params: { path: { id } }, signal })),
  });
}

/** Open tickets IT may link: those the queue lists, open, newest first. */
export function useOpenTickets(enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ticketKeys.list({ open: 'true', sort: 'newest', limit: 200 }),
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/tickets', { params: { query: { open: 'true', sort: 'newest', limit: 200 } }, signal })),
    enabled,
  });
}

/** Declare, link, unlink and post on the incident `id`; each answer refreshes the incident and the ticket. */
export function useIncidentActions(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const path = { params: { path: { id } } };
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ticketKeys.ticket(id) });
    void queryClient.invalidateQueries({ queryKey: incidentKeys.banners });
  };
  const declare = useMutation({
    mutationFn: () => call(api.ticket.POST('/api/v1/tickets/{id}/declare-incident', path)),
    onSuccess: (r) => {
      queryClient.setQueryData(incidentKeys.incident(id), r.incident);
      refresh();
    },
  });
  const link = useMutation({
    mutationFn: (ticketId: string) => call(api.ticket.POST('/api/v1/tickets/{id}/children', { ...path, body: { ticketId } })),
    onSuccess: (r) => {
      queryClient.setQueryData(incidentKeys.incident(id), r);
      refresh();
    },
  });
  const unlink = useMutation({
    mutationFn: (childId: string) => call(api.ticket.DELETE('/api/v1/tickets/{id}/children/{childId}', { params: { path: { id, childId } } })),
    onSuccess: (r) => {
      queryClient.setQueryData(incidentKeys.incident(id), r);
      refresh();
    },
  });
  const post = useMutation({
    // The form's key for this post: sending it again after a lost answer does not post it twice.
    mutationFn: ({ key, ...body }: StatusPost) => call(api.ticket.POST('/api/v1/tickets/{id}/incident-status', { params: { path: { id }, header: { 'idempotency-key': key } }, body })),
    onSuccess: refresh,
  });
  const outcome = (p: Promise<unknown>): Promise<IncidentOutcome> => p.then((): IncidentOutcome => ({ ok: true }), incidentRefusal);
  return {
    declare: () => outcome(declare.mutateAsync()),
    link: (ticketId: string) => outcome(link.mutateAsync(ticketId)),
    unlink: (childId: string) => outcome(unlink.mutateAsync(childId)),
    post: (p: StatusPost) => outcome(post.mutateAsync(p)),
  };
}

/** POST /api/v1/incidents: opens a ticket and declares it; answers the new ticket's id. */
export function useCreateIncident() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { title: string; description: string; category: string; siteId: string }) => call(api.ticket.POST('/api/v1/incidents', { body: { ...body, priority: 'P1' } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: incidentKeys.banners }),
  });
}

/** GET /api/v1/status-banners, for IT and clinic staff; refreshed every minute. */
export function useStatusBanners(enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: incidentKeys.banners,
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/status-banners', { signal })),
    enabled,
    refetchInterval: 60_000,
  });
}
