import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ErrorNotice, PlainStatusBadge, When } from '../../../components/ui.js';
import { siteLabel } from '../../../lib/labels.js';
import type { Ticket, TicketStatus } from '../../../lib/api/types.js';
import { useIncident, useIncidentActions, useOpenTickets, type IncidentOutcome, type StatusPost } from '../api/incidents.js';
import { localInputToIso, statusPostProblem, suggestedNextUpdate } from '../logic/next-update.js';

/**
 * IT's incident part of a ticket's workspace: declare it a major incident, or, once it is one,
 * its children (link, unlink) and its status posts; on a child, the incident it belongs to.
 */
export function IncidentPanel({ ticket }: { ticket: Ticket }) {
  const incident = useIncident(ticket.id);
  const actions = useIncidentActions(ticket.id);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const act = async (what: Promise<IncidentOutcome>, done: string) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    const r = await what;
    setBusy(false);
    if (r.ok) setMessage(done);
    else setError(r.message);
    return r.ok;
  };
  const open = ticket.status !== 'resolved' && ticket.status !== 'closed';
  const view = incident.data;

  return (
    <section className="card" aria-labelledby="incident-heading">
      <h2 id="incident-heading">{view?.majorIncident ? 'Major incident' : 'Incident'}</h2>
      <div aria-live="polite">{message && <p className="notice notice--success">{message}</p>}</div>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {!view ? (
        <p className="loading">{incident.error ? 'The incident could not be loaded.' : 'Loading…'}</p>
      ) : view.parent ? (
        <p>
          This report is part of the major incident <Link to={`/tickets/${view.parent.id}`}>{view.parent.number}</Link>. It follows that incident’s escalation.
        </p>
      ) : !view.majorIncident ? (
        open && (
          <>
            <p>Many reports of one outage? Make this ticket the major incident and link the others to it: only the incident escalates and pages.</p>
            <button type="button" className="button button--secondary" disabled={busy} onClick={() => void act(actions.declare(), `${ticket.number} is now a major incident.`)}>
              Declare major incident
            </button>
          </>
        )
      ) : (
        <>
          <StatusPosts statuses={view.statuses} />
          {open && <PostStatusForm busy={busy} onPost={(body) => act(actions.post(body), 'Status posted. Staff of the affected sites see it now.')} />}
          <h3 className="subheading">Linked reports ({view.children.length})</h3>
          {view.children.length === 0 ? (
            <p>No reports are linked yet.</p>
          ) : (
            <ul className="incident-children" data-testid="incident-children">
              {view.children.map((c) => (
                <li key={c.id}>
                  <Link to={`/tickets/${c.id}`}>{c.number}</Link> {c.title} · {siteLabel(c.siteId)} · <PlainStatusBadge status={c.status as TicketStatus} />{' '}
                  {open && (
                    <button type="button" className="button button--secondary button--small" disabled={busy} onClick={() => void act(actions.unlink(c.id), `${c.number} is unlinked and escalates on its own again.`)}>
                      Unlink {c.number}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {open && <LinkForm ticket={ticket} linked={view.children.map((c) => c.id)} busy={busy} onLink={(ids) => act(linkAll(actions.link, ids), `${ids.length} report(s) linked to ${ticket.number}.`)} />}
        </>
      )}
    </section>
  );
}

/** Links one after the other; stops at the first refusal, whose message names the ticket. */
async function linkAll(link: (id: string) => Promise<IncidentOutcome>, ids: string[]): Promise<IncidentOutcome> {
  for (const id of ids) {
    const r = await link(id);
    if (!r.ok) return r;
  }
  return { ok: true };
}

function StatusPosts({ statuses }: { statuses: { id: string; message: string; postedAt: string; nextUpdateAt: string | null }[] }) {
  if (statuses.length === 0) return <p>No status posted yet. Staff of the affected sites see the first one you post.</p>;
  return (
    <>
      <h3 className="subheading">Status posts</h3>
      <ol className="incident-statuses" data-testid="incident-statuses">
        {statuses.map((s) => (
          <li key={s.id}>
            <p>{s.message}</p>
            <p className="status-banner__meta">
              <When iso={s.postedAt} />
              {s.nextUpdateAt && (
                <>
                  {' '}
                  · next update by <When iso={s.nextUpdateAt} />
                </>
              )}
            </p>
          </li>
        ))}
      </ol>
    </>
  );
}

function PostStatusForm({ busy, onPost }: { busy: boolean; onPost: (post: StatusPost) => Promise<boolean> }) {
  const [text, setText] = useState('');
  // One key per post, kept until it is posted: sending again after a lost answer posts it once.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [next, setNext] = useState(() => suggestedNextUpdate(Date.now()));
  const [problem, setProblem] = useState<string | null>(null);
  const messageId = useId();
  const nextId = useId();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = statusPostProblem(text, next, Date.now());
    setProblem(p);
    if (p) return;
    if (await onPost({ message: text.trim(), nextUpdateAt: next === '' ? null : localInputToIso(next), key })) {
      setText('');
      setKey(crypto.randomUUID());
    }
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate>
      {problem && <ErrorNotice>{problem}</ErrorNotice>}
      <div className="field">
        <label htmlFor={messageId}>What is happening (staff see this)</label>
        <textarea id={messageId} rows={3} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={nextId}>Next update by ({zone})</label>
        <input id={nextId} type="datetime-local" value={next} onChange={(e) => setNext(e.target.value)} />
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          Post status
        </button>
      </div>
    </form>
  );
}

function LinkForm({ ticket, linked, busy, onLink }: { ticket: Ticket; linked: string[]; busy: boolean; onLink: (ids: string[]) => Promise<boolean> }) {
  const [showing, setShowing] = useState(false);
  const list = useOpenTickets(showing);
  const [chosen, setChosen] = useState<string[]>([]);
  const candidates = (list.data?.items ?? []).filter((t) => t.id !== ticket.id && !linked.includes(t.id) && !t.majorIncident && !t.incidentParentId);
  const sameKind = candidates.filter((t) => t.category === ticket.category);
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  if (!showing) {
    return (
      <button type="button" className="button button--secondary" onClick={() => setShowing(true)}>
        Link reports
      </button>
    );
  }
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        void onLink(chosen).then((ok) => ok && setChosen([]));
      }}
    >
      <fieldset>
        <legend>Open reports of the same kind of problem</legend>
        {list.isPending ? (
          <p className="loading">Loading open tickets…</p>
        ) : sameKind.length === 0 ? (
          <p>No other open report of this kind of problem.</p>
        ) : (
          <>
            <button type="button" className="button button--secondary button--small" onClick={() => setChosen(sameKind.map((t) => t.id))}>
              Select all {sameKind.length}
            </button>
            <ul className="incident-candidates">
              {sameKind.map((t) => (
                <li key={t.id}>
                  <label>
                    <input type="checkbox" checked={chosen.includes(t.id)} onChange={() => toggle(t.id)} /> {t.number} {t.title} · {siteLabel(t.siteId)} · reported <When iso={t.createdAt} />
                  </label>
                </li>
              ))}
            </ul>
          </>
        )}
      </fieldset>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={busy || chosen.length === 0}>
          Link selected reports
        </button>
      </div>
    </form>
  );
}
