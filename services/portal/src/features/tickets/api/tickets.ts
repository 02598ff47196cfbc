import { useCallback, useEffect, useRef } from 'react';
import { useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { ApiError, call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import type { paths as TicketPaths } from '../../../lib/api/ticket.gen.js';
import type { Comment, Delivery, EscalationState, StreamMessage, Ticket, TicketListQuery, TicketPage, TimelineEntry } from '../../../lib/api/types.js';
import { errorMessage } from '../../../lib/query-client.js';
import { useLiveTickets, type LiveState } from '../../../lib/live.js';

/** The query keys of ticket server state: every list and every ticket sit under ['tickets']. */
export const ticketKeys = {
  all: ['tickets'] as const,
  list: (query: TicketListQuery) => ['tickets', 'list', query] as const,
  ticket: (id: string) => ['tickets', 'one', id] as const,
  part: (id: string, part: 'escalation' | 'comments' | 'timeline' | 'deliveries') => ['tickets', 'one', id, part] as const,
};

/** GET /api/v1/tickets with this query (the list the person may read). */
export function useTicketList(query: TicketListQuery) {
  const api = useApi();
  return useQuery({
    queryKey: ticketKeys.list(query),
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/tickets', { params: { query }, signal })),
  });
}

/**
 * Keeps a cached ticket list current from the live stream: each change is written into the cached
 * page by `apply`, and the list is fetched again whenever the stream is (re)established (nothing
 * is replayed). `onApplied` sees the list before and after (e.g. to announce a new row).
 */
export function useLiveTicketList(
  key: QueryKey,
  apply: (list: Ticket[], ticket: Ticket) => Ticket[],
  onApplied?: (before: Ticket[], after: Ticket[], m: StreamMessage) => void,
): LiveState {
  const queryClient = useQueryClient();
  const latest = useRef({ key, apply, onApplied });
  latest.current = { key, apply, onApplied };
  const onTicket = useCallback(
    (m: StreamMessage) => {
      const { key: k, apply: a, onApplied: done } = latest.current;
      const page = queryClient.getQueryData<TicketPage>(k);
      if (!page) return;
      const items = a(page.items, m.ticket);
      queryClient.setQueryData<TicketPage>(k, { ...page, items });
      done?.(page.items, items, m);
    },
    [queryClient],
  );
  const onReady = useCallback(() => void queryClient.invalidateQueries({ queryKey: latest.current.key }), [queryClient]);
  return useLiveTickets({ onTicket, onReady });
}

/** Several events often arrive together (an action and its assignment): one refetch after a quiet moment. */
export function useDebounced(fn: () => void, ms: number): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => latest.current(), ms);
  }, [ms]);
}

/** The ticket workflow's state (clocks, levels, next deadline) of one ticket. */
export function useEscalation(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: ticketKeys.part(id, 'escalation'),
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/tickets/{id}/escalation', { params: { path: { id } }, signal })),
  });
}

/** The ticket as a page shows it: the ticket, its workflow state, comments, and for IT the timeline and deliveries. */
export interface TicketData {
  ticket: Ticket;
  /** null: a closed ticket's workflow has ended, or cannot be asked; the page works without it. */
  escalation: EscalationState | null;
  comments: Comment[];
  timeline: TimelineEntry[];
  /** null: the notification service could not be asked. */
  deliveries: Delivery[] | null;
}

export type TicketState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string; notFound: boolean; sessionEnded: boolean }
  | { kind: 'ready'; data: TicketData };

/**
 * One ticket, kept current: its parts are queries under ['tickets', 'one', id], refreshed
 * whenever the live stream reports a change of it (the ticket itself at once, the rest after a
 * quiet moment). IT also gets the timeline and the notification deliveries.
 */
export function useTicket(id: string, it: boolean): { state: TicketState; live: LiveState } {
  const api = useApi();
  const queryClient = useQueryClient();
  const path = { params: { path: { id } } };
  const ticket = useQuery({ queryKey: ticketKeys.ticket(id), queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/tickets/{id}', { ...path, signal })) });
  const escalation = useQuery({
    queryKey: ticketKeys.part(id, 'escalation'),
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/tickets/{id}/escalation', { ...path, signal })).catch((): null => null),
  });
  const comments = useQuery({
    queryKey: ticketKeys.part(id, 'comments'),
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/tickets/{id}/comments', { ...path, signal })).then((r) => r.items),
  });
  const timeline = useQuery({
    queryKey: ticketKeys.part(id, 'timeline'),
    queryFn: ({ signal }) => (it ? call(api.ticket.GET('/api/v1/tickets/{id}/timeline', { ...path, signal })).then((r) => r.items) : Promise.resolve([])),
  });
  const deliveries = useQuery({
    queryKey: ticketKeys.part(id, 'deliveries'),
    queryFn: ({ signal }) =>
      it
        ? call(api.notification.GET('/api/v1/notifications', { params: { query: { ticketId: id } }, signal }))
            .then((r) => r.deliveries)
            .catch((): null => null)
        : Promise.resolve([]),
  });

  const refetchAll = useCallback(() => void queryClient.invalidateQueries({ queryKey: ticketKeys.ticket(id) }), [queryClient, id]);
  const refetchSoon = useDebounced(refetchAll, 250);
  const onTicket = useCallback(
    (m: StreamMessage) => {
      queryClient.setQueryData(ticketKeys.ticket(id), m.ticket);
      refetchSoon();
    },
    [queryClient, id, refetchSoon],
  );
  const live = useLiveTickets({ ticketId: id, onTicket, onReady: refetchAll });

  const failed = [ticket, comments, timeline].find((q) => q.error)?.error;
  let state: TicketState;
  if (ticket.data && escalation.data !== undefined && comments.data && timeline.data && deliveries.data !== undefined) {
    // Once shown, a failed refresh keeps what is shown; the next change or reload tries again.
    const notFound = failed instanceof ApiError && (failed.status === 404 || failed.status === 400);
    state = notFound
      ? { kind: 'error', message: 'This ticket does not exist, or you are not allowed to see it.', notFound, sessionEnded: false }
      : { kind: 'ready', data: { ticket: ticket.data, escalation: escalation.data, comments: comments.data, timeline: timeline.data, deliveries: deliveries.data } };
  } else if (failed) {
    const notFound = failed instanceof ApiError && (failed.status === 404 || failed.status === 400);
    state = {
      kind: 'error',
      message: notFound ? 'This ticket does not exist, or you are not allowed to see it.' : errorMessage(failed, 'The ticket could not be loaded. Please try again.'),
      notFound,
      sessionEnded: failed instanceof ApiError && failed.status === 401,
    };
  } else state = { kind: 'loading' };
  return { state, live };
}

/** The actions on a ticket (each its own POST /api/v1/tickets/{id}/<action>). */
export type TicketAction = 'acknowledge' | 'assign' | 'priority' | 'wait-on-requester' | 'resume' | 'hand-to-vendor' | 'vendor-acknowledge' | 'resolve' | 'reopen' | 'close';
/** The body an action takes, from the ticket API's document. */
export type ActionBody<A extends TicketAction> = NonNullable<TicketPaths[`/api/v1/tickets/{id}/${A}`]['post']['requestBody']>['content']['application/json'];
export type CommentBody = NonNullable<TicketPaths['/api/v1/tickets/{id}/comments']['post']['requestBody']>['content']['application/json'];

export type ActionOutcome = { ok: true } | { ok: false; message: string };

function refusal(err: unknown): ActionOutcome {
  if (err instanceof ApiError) {
    const field = err.details[0];
    return { ok: false, message: field ? `${err.message} (${field.path}: ${field.message})` : err.message };
  }
  return { ok: false, message: 'That did not work. Please try again.' };
}

/**
 * Runs actions and comments on one ticket. The answer is shown at once (written into the cached
 * ticket and workflow state), then the ticket's other parts are fetched again. A refusal comes
 * back as a message for the form.
 */
export function useTicketActions(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const path = { params: { path: { id } } };
  const applied = (r: { ticket: Ticket; escalation?: EscalationState }) => {
    queryClient.setQueryData(ticketKeys.ticket(id), r.ticket);
    if (r.escalation) queryClient.setQueryData(ticketKeys.part(id, 'escalation'), r.escalation);
    void queryClient.invalidateQueries({ queryKey: ticketKeys.ticket(id) });
  };
  const action = useMutation({
    mutationFn: ({ name, body }: { name: TicketAction; body: unknown }) =>
      // One typed call for every action: the path and body types of each are checked at run()'s callers.
      call(api.ticket.POST(`/api/v1/tickets/{id}/${name}` as '/api/v1/tickets/{id}/acknowledge', { ...path, body: body as ActionBody<'acknowledge'> })),
    onSuccess: applied,
  });
  const comment = useMutation({
    mutationFn: (body: CommentBody) => call(api.ticket.POST('/api/v1/tickets/{id}/comments', { ...path, body })),
    onSuccess: (r) => applied({ ticket: r.ticket }),
  });
  return {
    run: <A extends TicketAction>(name: A, body: ActionBody<A>): Promise<ActionOutcome> =>
      action.mutateAsync({ name, body }).then((): ActionOutcome => ({ ok: true }), refusal),
    comment: (body: CommentBody): Promise<ActionOutcome> => comment.mutateAsync(body).then((): ActionOutcome => ({ ok: true }), refusal),
  };
}
