import type { ReactNode } from 'react';
import { errorMessage } from '../lib/query-client.js';
import { PRIORITY_LABELS, STATUS_LABELS } from '../lib/labels.js';
import { countdown } from '../lib/countdown.js';
import { plainStatus } from '../lib/status.js';
import type { LiveState } from '../lib/live.js';
import type { Priority, TicketStatus } from '../lib/api/types.js';

export function PriorityBadge({ priority }: { priority: Priority }) {
  return <span className={`badge badge--${priority.toLowerCase()}`}>{PRIORITY_LABELS[priority] ?? priority}</span>;
}

export function StatusText({ status }: { status: TicketStatus }) {
  return <span className={`status status--${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}

/** The requester's wording of a status, with its tone as a coloured edge (and words, never colour alone). */
export function PlainStatusBadge({ status }: { status: TicketStatus }) {
  const p = plainStatus(status);
  return <span className={`plain-status plain-status--${p.tone}`}>{p.label}</span>;
}

/** A deadline counting down; the text carries the meaning, colour only repeats it. */
export function Countdown({ deadline, now, prefix }: { deadline: string | null; now: number; prefix?: string }) {
  const c = countdown(deadline, now);
  if (c.urgency === 'none') return <span className="countdown countdown--none">{c.text}</span>;
  return (
    <time className={`countdown countdown--${c.urgency}`} dateTime={deadline ?? undefined} title={`${prefix ? `${prefix} ` : ''}${c.long}`}>
      {c.urgency === 'overdue' && <span aria-hidden="true">⚠ </span>}
      {c.text}
    </time>
  );
}

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: 'Connecting to live updates…',
  live: 'Live: changes appear here without reloading',
  offline: 'Live updates interrupted – retrying. Reload to be sure you see the latest.',
};

export function LiveIndicator({ state }: { state: LiveState }) {
  return (
    <p className={`live live--${state}`} data-live-state={state}>
      <span className="live__dot" aria-hidden="true" />
      {LIVE_TEXT[state]}
    </p>
  );
}

export function ErrorNotice({ children }: { children: ReactNode }) {
  return (
    <div className="notice notice--error" role="alert">
      <p>{children}</p>
    </div>
  );
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export function When({ iso }: { iso: string | null | undefined }) {
  return iso ? <time dateTime={iso}>{formatDate(iso)}</time> : <>—</>;
}

/**
 * What every page shows while its server state loads or after it failed: the loading line, or the
 * error with a way to try again. Once there is data, the children render it.
 */
export function QueryState<T>({
  query,
  loading,
  failed,
  describe,
  children,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; isFetching: boolean; refetch: () => unknown };
  /** e.g. "Loading the queue…" */
  loading: string;
  /** The message when the error carries none of its own. */
  failed: string;
  /** A message of the page's own for some errors (e.g. a 403); else the error's or `failed`. */
  describe?: (err: unknown) => string | null;
  children: (data: T) => ReactNode;
}) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error) {
    return (
      <div className="notice notice--error" role="alert">
        <p>{describe?.(query.error) ?? errorMessage(query.error, failed)}</p>
        <button type="button" className="button button--secondary" disabled={query.isFetching} onClick={() => void query.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <p className="loading" role="status">
      {loading}
    </p>
  );
}
