import { useEffect, useState } from 'react';
import { api, ApiError, type TokenSource } from './api.js';
import { CATEGORIES, IMPACTS, PRIORITY_LABELS, STATUS_LABELS, TIER_LABELS, URGENCIES, labelOf, siteLabel } from './labels.js';
import { Link } from './router.js';
import { PageHeading } from './PageHeading.js';
import type { Ticket } from './types.js';

type State = { kind: 'loading' } | { kind: 'error'; message: string; notFound: boolean; sessionEnded: boolean } | { kind: 'ready'; ticket: Ticket };

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

interface TicketPageProps {
  id: string;
  justCreated: boolean;
  getToken: TokenSource;
  onSignIn: () => void;
}

export function TicketPage({ id, justCreated, getToken, onSignIn }: TicketPageProps) {
  const [state, setState] = useState<State>({ kind: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    api<Ticket>(getToken, `/api/v1/tickets/${encodeURIComponent(id)}`, { signal: controller.signal })
      .then((ticket) => setState({ kind: 'ready', ticket }))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        const notFound = err instanceof ApiError && (err.status === 404 || err.status === 400);
        const message = notFound
          ? 'This ticket does not exist, or you are not allowed to see it.'
          : err instanceof ApiError
            ? err.message
            : 'The ticket could not be loaded. Please try again.';
        setState({ kind: 'error', message, notFound, sessionEnded: err instanceof ApiError && err.status === 401 });
      });
    return () => controller.abort();
  }, [id, getToken]);

  if (state.kind === 'loading') {
    return (
      <p className="loading" role="status">
        Loading ticket…
      </p>
    );
  }
  if (state.kind === 'error') {
    return (
      <>
        <PageHeading>{state.notFound ? 'Ticket not found' : 'Ticket could not be loaded'}</PageHeading>
        <div className="notice notice--error" role="alert">
          <p>{state.message}</p>
          {state.sessionEnded && (
            <button type="button" className="button button--primary" onClick={onSignIn}>
              Sign in again
            </button>
          )}
        </div>
        <p>
          <Link href="/">Report a problem</Link>
        </p>
      </>
    );
  }

  const t = state.ticket;
  return (
    <>
      {justCreated && (
        <div className="notice notice--success" role="status">
          <p>
            Thank you – your report was received as <strong>{t.number}</strong>.
          </p>
        </div>
      )}
      <PageHeading title={`${t.number}: ${t.title}`}>
        <span className="ticket-number">{t.number}</span> {t.title}
      </PageHeading>

      <section className="card" aria-labelledby="ticket-facts">
        <h2 id="ticket-facts" className="visually-hidden">
          Ticket details
        </h2>
        <dl className="facts">
          <div>
            <dt>Priority</dt>
            <dd>
              <span className={`badge badge--${t.priority.toLowerCase()}`}>{PRIORITY_LABELS[t.priority] ?? t.priority}</span>
            </dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>{STATUS_LABELS[t.status] ?? t.status}</dd>
          </div>
          <div>
            <dt>Handled by</dt>
            <dd>{TIER_LABELS[t.tier] ?? `Tier ${t.tier}`}</dd>
          </div>
          <div>
            <dt>Site</dt>
            <dd>{siteLabel(t.siteId)}</dd>
          </div>
          <div>
            <dt>Kind of problem</dt>
            <dd>{labelOf(CATEGORIES, t.category)}</dd>
          </div>
          <div>
            <dt>Reported</dt>
            <dd>
              <time dateTime={t.createdAt}>{formatDate(t.createdAt)}</time>
            </dd>
          </div>
          <div>
            <dt>Who is affected</dt>
            <dd>{labelOf(IMPACTS, t.impact)}</dd>
          </div>
          <div>
            <dt>Urgency</dt>
            <dd>{labelOf(URGENCIES, t.urgency)}</dd>
          </div>
          <div>
            <dt>Patient care affected</dt>
            <dd>{t.patientCareAffected ? 'Yes' : 'No'}</dd>
          </div>
        </dl>
        {t.description && (
          <>
            <h2 className="subheading">Details</h2>
            <p className="description">{t.description}</p>
          </>
        )}
      </section>

      <section className="card" aria-labelledby="next-steps">
        <h2 id="next-steps">What happens next</h2>
        {whatHappensNext(t).map((line) => (
          <p key={line}>{line}</p>
        ))}
      </section>

      <p>
        <Link href="/">Report another problem</Link>
      </p>
    </>
  );
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** Plain-language expectations for the requester, from the ticket's status, priority and tier. */
export function whatHappensNext(t: Ticket): string[] {
  const keep = `If you phone the IT help desk about this, give the number ${t.number}.`;
  switch (t.status) {
    case 'resolved':
      return [`IT believes this problem is fixed.`, `If it is still not working, report it again and mention ${t.number}.`];
    case 'closed':
      return [`This ticket is closed.`, `If the problem comes back, report a new problem and mention ${t.number}.`];
    case 'waiting_on_requester':
      return [`IT needs more information from you before they can continue. They will contact you.`, keep];
    case 'waiting_on_vendor':
      return [`IT has passed this problem to the supplier and is waiting for them. You do not need to do anything.`, keep];
    default:
      break;
  }
  const byPriority: Record<Ticket['priority'], string> = {
    P1: 'This is treated as critical. The IT team has been alerted straight away and will contact you as soon as possible. If patients are at risk right now, also phone the IT help desk and follow your clinical downtime procedure.',
    P2: 'This is treated as high priority and will be worked on ahead of routine requests.',
    P3: 'The service desk will look at this in the order it was received.',
    P4: 'This is low priority. IT will deal with it when more urgent work allows.',
  };
  const tier =
    t.tier <= 1
      ? 'It is with the service desk now. If they cannot fix it, it moves on to a specialist team automatically – you do not need to chase it.'
      : t.tier === 2
        ? 'It is with a specialist team. If they cannot fix it, it moves on to senior engineers automatically – you do not need to chase it.'
        : 'It is with senior engineers, who work with suppliers where needed.';
  const started = t.status === 'in_progress' ? 'Someone is already working on it. ' : t.status === 'acknowledged' ? 'IT has seen your report. ' : '';
  return [`${started}${byPriority[t.priority] ?? ''}`.trim(), tier, keep];
}
