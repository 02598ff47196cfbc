import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, type TokenSource } from '../../../lib/api.js';
import { isIt, type Identity } from '../../../lib/auth.js';
import { ErrorNotice, LiveIndicator, PriorityBadge, When } from '../../../components/ui.js';
import { CATEGORIES, IMPACTS, URGENCIES, labelOf, siteLabel, ticketHeadline } from '../../../lib/labels.js';
import { useLiveTickets, useNow, type LiveState } from '../../../lib/live.js';
import { plainStatus, whatHappensNext } from '../../../lib/status.js';
import { PageHeading } from '../../../components/PageHeading.js';
import { Link } from '../../../app/router.js';
import type { Comment, Delivery, EscalationState, StreamMessage, Ticket, TimelineEntry } from '../../../lib/types.js';
import { Workspace } from './Workspace.js';
import { VendorPanel } from './VendorPanel.js';
import { Conversation, runAction, type ActionProps, type TicketData } from './ticket-shared.js';

export { whatHappensNext } from '../../../lib/status.js';

type State = { kind: 'loading' } | { kind: 'error'; message: string; notFound: boolean; sessionEnded: boolean } | { kind: 'ready'; data: TicketData };

/**
 * One ticket, kept current: loaded over the API, then refreshed whenever the live stream reports
 * a change of it. IT also gets the timeline and the notification deliveries.
 */
export function useTicket(id: string, getToken: TokenSource, it: boolean) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const generation = useRef(0);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    const path = `/api/v1/tickets/${encodeURIComponent(id)}`;
    try {
      const [ticket, escalation, comments, timeline, deliveries] = await Promise.all([
        api<Ticket>(getToken, path),
        // A closed ticket's workflow has ended: the page works without its state.
        api<EscalationState>(getToken, `${path}/escalation`).catch(() => null),
        api<{ items: Comment[] }>(getToken, `${path}/comments`).then((r) => r.items),
        it ? api<{ items: TimelineEntry[] }>(getToken, `${path}/timeline`).then((r) => r.items) : Promise.resolve([]),
        it ? api<{ deliveries: Delivery[] }>(getToken, `/api/v1/notifications?ticketId=${encodeURIComponent(id)}`).then((r) => r.deliveries).catch(() => null) : Promise.resolve([]),
      ]);
      if (mine !== generation.current) return;
      setState({ kind: 'ready', data: { ticket, escalation, comments, timeline, deliveries } });
    } catch (err) {
      if (mine !== generation.current) return;
      const notFound = err instanceof ApiError && (err.status === 404 || err.status === 400);
      setState((prev) =>
        prev.kind === 'ready' && !notFound
          ? prev // keep showing what we have; the next change or reload tries again
          : {
              kind: 'error',
              message: notFound ? 'This ticket does not exist, or you are not allowed to see it.' : err instanceof ApiError ? err.message : 'The ticket could not be loaded. Please try again.',
              notFound,
              sessionEnded: err instanceof ApiError && err.status === 401,
            },
      );
    }
  }, [id, getToken, it]);

  useEffect(() => {
    void load();
  }, [load]);

  // Several events often arrive together (an action and its assignment): reload once for them.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onTicket = useCallback(
    (m: StreamMessage) => {
      setState((prev) => (prev.kind === 'ready' ? { kind: 'ready', data: { ...prev.data, ticket: m.ticket } } : prev));
      if (pending.current) clearTimeout(pending.current);
      pending.current = setTimeout(() => void load(), 250);
    },
    [load],
  );
  useEffect(() => () => {
    if (pending.current) clearTimeout(pending.current);
  }, []);
  const live = useLiveTickets(getToken, { ticketId: id, onTicket, onReady: () => void load() });

  /** After an action: show its result at once, then reload the rest. */
  const applyResult = useCallback(
    (r: { ticket: Ticket; escalation?: EscalationState }) => {
      setState((prev) => (prev.kind === 'ready' ? { kind: 'ready', data: { ...prev.data, ticket: r.ticket, escalation: r.escalation ?? prev.data.escalation } } : prev));
      void load();
    },
    [load],
  );
  return { state, live, reload: load, applyResult };
}

interface TicketPageProps {
  id: string;
  identity: Identity;
  justCreated: boolean;
  getToken: TokenSource;
  onSignIn: () => void;
}

export function TicketPage({ id, identity, justCreated, getToken, onSignIn }: TicketPageProps) {
  const it = isIt(identity);
  const { state, live, applyResult } = useTicket(id, getToken, it);

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
          <Link href={it ? '/queue' : '/tickets'}>{it ? 'Back to the queue' : 'See your tickets'}</Link>
        </p>
      </>
    );
  }
  if (it) return <Workspace data={state.data} identity={identity} live={live} getToken={getToken} onDone={applyResult} />;
  return <StaffTicket data={state.data} identity={identity} live={live} justCreated={justCreated} getToken={getToken} onDone={applyResult} />;
}

function StaffTicket({ data, identity, live, justCreated, getToken, onDone }: { data: TicketData; identity: Identity; live: LiveState; justCreated: boolean } & ActionProps) {
  const t = data.ticket;
  const now = useNow(15_000);
  const status = plainStatus(t.status);
  return (
    <>
      {justCreated && (
        <div className="notice notice--success" role="status">
          <p>
            Thank you – your report was received as <strong>{t.number}</strong>.
          </p>
        </div>
      )}
      <PageHeading title={`${t.number}: ${ticketHeadline(t)}`}>
        <span className="ticket-number">{t.number}</span> {ticketHeadline(t)}
      </PageHeading>
      <LiveIndicator state={live} />

      <section className={`card status-card status-card--${status.tone}`} aria-labelledby="status-heading">
        {/* A change of status is announced; the countdowns below are not (they change every few seconds). */}
        <div aria-live="polite" aria-atomic="true">
          <h2 id="status-heading">
            Status: <span data-testid="plain-status">{status.label}</span>
          </h2>
          <p>{status.explanation}</p>
        </div>
        <h3 className="subheading">What happens next</h3>
        <div data-testid="next-steps">
          {whatHappensNext(t, data.escalation, now).map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
        {t.status === 'resolved' && <ConfirmResolution ticket={t} getToken={getToken} onDone={onDone} />}
      </section>

      <VendorPanel data={data} identity={identity} getToken={getToken} onDone={onDone} />

      <section className="card" aria-labelledby="ticket-facts">
        <h2 id="ticket-facts">Your report</h2>
        <dl className="facts">
          <div>
            <dt>Priority</dt>
            <dd>
              <PriorityBadge priority={t.priority} />
            </dd>
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
              <When iso={t.createdAt} />
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
            <h3 className="subheading">Details</h3>
            <p className="description">{t.description}</p>
          </>
        )}
      </section>

      <Conversation comments={data.comments} ticket={t} identity={identity} getToken={getToken} onDone={onDone} />

      <p>
        <Link href="/tickets">All your tickets</Link> · <Link href="/">Report another problem</Link>
      </p>
    </>
  );
}

function ConfirmResolution({ ticket, getToken, onDone }: { ticket: Ticket } & ActionProps) {
  const [reopening, setReopening] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reasonId = useId();

  const act = async (action: 'close' | 'reopen', body: unknown) => {
    setBusy(true);
    const r = await runAction(getToken, ticket.id, action, body);
    setBusy(false);
    if (r.ok) onDone(r.result);
    else setError(r.message);
  };
  const reopen = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 3) {
      setError('Say in a few words what is still wrong (at least 3 characters).');
      return;
    }
    void act('reopen', { reason: reason.trim() });
  };

  return (
    <div className="confirm">
      <h3 className="subheading">Is it working again?</h3>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {!reopening ? (
        <div className="form__actions">
          <button type="button" className="button button--primary" disabled={busy} onClick={() => void act('close', {})}>
            Yes, it is fixed – close the report
          </button>
          <button type="button" className="button button--secondary" disabled={busy} onClick={() => setReopening(true)}>
            No, it is still not working
          </button>
        </div>
      ) : (
        <form className="form" onSubmit={reopen} noValidate>
          <div className="field">
            <label htmlFor={reasonId}>What is still wrong? (required)</label>
            <textarea id={reasonId} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />
          </div>
          <div className="form__actions">
            <button type="submit" className="button button--primary" disabled={busy}>
              Reopen the report
            </button>
            <button type="button" className="button button--secondary" onClick={() => setReopening(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

