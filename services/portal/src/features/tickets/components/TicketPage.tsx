import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { isIt, type Identity } from '../../../lib/auth.js';
import { ErrorNotice, LiveIndicator, PriorityBadge, When } from '../../../components/ui.js';
import { CATEGORIES, IMPACTS, URGENCIES, labelOf, siteLabel, ticketHeadline } from '../../../lib/labels.js';
import { useNow, type LiveState } from '../../../lib/live.js';
import { plainStatus, whatHappensNext } from '../../../lib/status.js';
import { useIdentity, useSession } from '../../../lib/session.js';
import { PageHeading } from '../../../components/PageHeading.js';
import type { Ticket } from '../../../lib/api/types.js';
import { useTicket, useTicketActions, type ActionOutcome, type TicketData } from '../api/tickets.js';
import { Workspace } from './Workspace.js';
import { VendorPanel } from './VendorPanel.js';
import { Conversation } from './ticket-shared.js';
import { Attachments } from '../../attachments/components/Attachments.js';

export { whatHappensNext } from '../../../lib/status.js';

/** One ticket: IT's workspace, or the requester's (and vendor's) plain view. */
export function TicketPage({ id, justCreated }: { id: string; justCreated: boolean }) {
  const identity = useIdentity();
  const { signIn: onSignIn } = useSession();
  const it = isIt(identity);
  const { state, live } = useTicket(id, it);

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
          <Link to={it ? '/queue' : '/tickets'}>{it ? 'Back to the queue' : 'See your tickets'}</Link>
        </p>
      </>
    );
  }
  if (it) return <Workspace data={state.data} identity={identity} live={live} />;
  return <StaffTicket data={state.data} identity={identity} live={live} justCreated={justCreated} />;
}

function StaffTicket({ data, identity, live, justCreated }: { data: TicketData; identity: Identity; live: LiveState; justCreated: boolean }) {
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
        {t.status === 'resolved' && <ConfirmResolution ticket={t} />}
      </section>

      <VendorPanel data={data} identity={identity} />

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

      <Attachments ticketId={t.id} identity={identity} />

      <Conversation comments={data.comments} ticket={t} identity={identity} />

      <p>
        <Link to="/tickets">All your tickets</Link> · <Link to="/">Report another problem</Link>
      </p>
    </>
  );
}

function ConfirmResolution({ ticket }: { ticket: Ticket }) {
  const { run } = useTicketActions(ticket.id);
  const [reopening, setReopening] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reasonId = useId();

  const act = async (r: Promise<ActionOutcome>) => {
    setBusy(true);
    const outcome = await r;
    setBusy(false);
    if (!outcome.ok) setError(outcome.message);
  };
  const reopen = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 3) {
      setError('Say in a few words what is still wrong (at least 3 characters).');
      return;
    }
    void act(run('reopen', { reason: reason.trim() }));
  };

  return (
    <div className="confirm">
      <h3 className="subheading">Is it working again?</h3>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {!reopening ? (
        <div className="form__actions">
          <button type="button" className="button button--primary" disabled={busy} onClick={() => void act(run('close', {}))}>
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

