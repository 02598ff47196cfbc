import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { Identity } from '../../../lib/auth.js';
import { Countdown, ErrorNotice, LiveIndicator, PriorityBadge, StatusText, When } from '../../../components/ui.js';
import { CATEGORIES, labelOf, siteLabel } from '../../../lib/labels.js';
import { useNow, type LiveState } from '../../../lib/live.js';
import { mergeTimeline } from '../logic/timeline.js';
import { PageHeading } from '../../../components/PageHeading.js';
import { Link } from 'react-router';
import { Conversation } from './ticket-shared.js';
import { useTicketActions, type ActionBody, type TicketAction, type TicketData } from '../api/tickets.js';
import type { ClockView, Priority, Ticket } from '../../../lib/api/types.js';

const CLOCK_LABELS: Record<ClockView['name'], string> = {
  response: 'Response',
  resolution: 'Resolution',
  vendor_response: 'Vendor response',
  vendor_resolution: 'Vendor resolution',
};
const CLOCK_STATES: Record<ClockView['state'], string> = { running: 'running', paused: 'paused', stopped: 'stopped', not_started: 'not started' };

const OPEN = (t: Ticket) => t.status !== 'resolved' && t.status !== 'closed';

/** The IT agent's view of one ticket: facts, SLA clocks, every action, comments and notes, the timeline. */
export function Workspace({ data, identity, live }: { data: TicketData; identity: Identity; live: LiveState }) {
  const t = data.ticket;
  const now = useNow(1000);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const whoIs = (userId: string) => (userId === identity.id ? 'you' : userId === t.requesterId ? 'the requester' : 'a colleague');

  /** Runs an action; returns whether it worked, so a form can clear itself. */
  const { run } = useTicketActions(t.id);
  const act: Act = async (action, body, done) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    const r = await run(action, body);
    setBusy(false);
    if (!r.ok) {
      setError(r.message);
      return false;
    }
    setMessage(`${t.number}: ${done}`);
    return true;
  };

  const clocks = (data.escalation?.clocks ?? []).filter((c) => c.state !== 'not_started');
  const timeline = mergeTimeline(data.timeline, data.deliveries ?? [], whoIs);

  return (
    <>
      <PageHeading title={`${t.number}: ${t.title}`}>
        <span className="ticket-number">{t.number}</span> {t.title}
      </PageHeading>
      <p>
        <Link to="/queue">Back to the queue</Link>
      </p>
      <LiveIndicator state={live} />

      <div className="workspace">
        <div className="workspace__main">
          <section className="card" aria-labelledby="ws-facts">
            <h2 id="ws-facts">Ticket</h2>
            <dl className="facts">
              <Fact term="Priority">
                <PriorityBadge priority={t.priority} />
              </Fact>
              <Fact term="Status">
                <span data-testid="ws-status">
                  <StatusText status={t.status} />
                </span>
              </Fact>
              <Fact term="Tier">{t.tier}</Fact>
              <Fact term="Site">{siteLabel(t.siteId)}</Fact>
              <Fact term="Team">{t.teamId ?? 'none'}</Fact>
              <Fact term="Assignee">{t.assigneeId ? whoIs(t.assigneeId) : 'nobody'}</Fact>
              <Fact term="Vendor">{t.vendorOrgId ?? 'none'}</Fact>
              <Fact term="Kind of problem">{labelOf(CATEGORIES, t.category)}</Fact>
              <Fact term="Patient care affected">{t.patientCareAffected ? 'Yes' : 'No'}</Fact>
              <Fact term="Reported">
                <When iso={t.createdAt} />
              </Fact>
              <Fact term="Acknowledged">
                <When iso={t.acknowledgedAt} />
              </Fact>
              <Fact term="Policy version">{t.policyVersion}</Fact>
            </dl>
            {t.description && (
              <>
                <h3 className="subheading">Details from the requester</h3>
                <p className="description">{t.description}</p>
              </>
            )}
          </section>

          <section className="card" aria-labelledby="ws-sla">
            <h2 id="ws-sla">SLA</h2>
            {t.nextDeadlineAt ? (
              <p className="next-deadline">
                Next: <strong>{t.nextDeadlineKind ?? 'deadline'}</strong> <Countdown deadline={t.nextDeadlineAt} now={now} prefix={t.nextDeadlineKind ?? 'deadline'} />
              </p>
            ) : (
              <p>No deadline is running.</p>
            )}
            {t.slaAtRisk && <p className="tag tag--risk">SLA at risk</p>}
            {data.escalation === null ? (
              <p className="hint">The escalation engine’s clocks are not available for this ticket.</p>
            ) : (
              clocks.length > 0 && (
                <div className="table-wrap">
                  <table className="clocks">
                    <caption className="visually-hidden">SLA clocks</caption>
                    <thead>
                      <tr>
                        <th scope="col">Clock</th>
                        <th scope="col">State</th>
                        <th scope="col">Target</th>
                        <th scope="col">Deadline</th>
                      </tr>
                    </thead>
                    <tbody>
                      {clocks.map((c) => (
                        <tr key={c.name}>
                          <th scope="row">{CLOCK_LABELS[c.name] ?? c.name}</th>
                          <td>
                            {CLOCK_STATES[c.state] ?? c.state}
                            {c.breached && <span className="tag tag--risk">breached</span>}
                          </td>
                          <td>{c.targetMinutes} min</td>
                          <td>{c.state === 'running' ? <Countdown deadline={c.deadlineAt} now={now} prefix={`${CLOCK_LABELS[c.name]} target`} /> : '—'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )
            )}
          </section>

          <Conversation comments={data.comments} ticket={t} identity={identity} allowInternal />

          <section className="card" aria-labelledby="ws-timeline">
            <h2 id="ws-timeline">Timeline</h2>
            {data.deliveries === null && <p className="hint">Notification deliveries could not be loaded right now; events are shown.</p>}
            <ol className="timeline">
              {timeline.map((item) => (
                <li key={item.key} className={`timeline__item timeline__item--${item.kind}`}>
                  <When iso={item.at} /> <span className={`tag tag--${item.kind}`}>{item.kind}</span> {item.text}
                </li>
              ))}
            </ol>
          </section>
        </div>

        <aside className="workspace__side" aria-labelledby="ws-actions">
          <section className="card">
            <h2 id="ws-actions">Actions</h2>
            <p className="visually-hidden" role="status">
              {message}
            </p>
            {message && (
              <p className="notice notice--success" aria-hidden="true">
                {message}
              </p>
            )}
            {error && <ErrorNotice>{error}</ErrorNotice>}
            <Actions ticket={t} identity={identity} busy={busy} act={act} />
          </section>
        </aside>
      </div>
    </>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

type Act = <A extends TicketAction>(action: A, body: ActionBody<A>, done: string) => Promise<boolean>;

function Actions({ ticket: t, identity, busy, act }: { ticket: Ticket; identity: Identity; busy: boolean; act: Act }) {
  const open = OPEN(t);
  return (
    <div className="actions">
      <div className="actions__quick">
        {open && !t.acknowledgedAt && (
          <button type="button" className="button button--primary" disabled={busy} onClick={() => void act('acknowledge', {}, 'acknowledged.')}>
            Acknowledge
          </button>
        )}
        {open && t.assigneeId !== identity.id && (
          <button type="button" className="button button--secondary" disabled={busy} onClick={() => void act('assign', { assigneeId: identity.id }, 'assigned to you.')}>
            Assign to me
          </button>
        )}
        {t.status === 'waiting_on_requester' && (
          <button type="button" className="button button--secondary" disabled={busy} onClick={() => void act('resume', {}, 'resumed; the clocks run again.')}>
            Resume
          </button>
        )}
        {t.status === 'resolved' && (
          <button type="button" className="button button--secondary" disabled={busy} onClick={() => void act('close', {}, 'closed.')}>
            Close
          </button>
        )}
      </div>
      {open && (
        <>
          <PriorityForm ticket={t} busy={busy} act={act} />
          <AssignForm ticket={t} busy={busy} act={act} />
          {t.status !== 'waiting_on_requester' && (
            <ReasonForm title="Wait on requester" label="What do you need from the requester? (optional)" submit="Wait on requester" optional busy={busy} onSubmit={(reason) => act('wait-on-requester', reason ? { reason } : {}, 'waiting on the requester; clocks paused.')} />
          )}
          <VendorForm busy={busy} act={act} />
          <ReasonForm title="Resolve" label="Resolution (required)" submit="Resolve" busy={busy} onSubmit={(resolution) => act('resolve', { resolution }, 'resolved.')} />
        </>
      )}
      {t.status === 'resolved' && <ReasonForm title="Reopen" label="Why reopen? (required)" submit="Reopen" busy={busy} onSubmit={(reason) => act('reopen', { reason }, 'reopened.')} />}
    </div>
  );
}

function Disclosure({ title, children }: { title: string; children: ReactNode }) {
  return (
    <details className="disclosure">
      <summary>{title}</summary>
      <div className="disclosure__body">{children}</div>
    </details>
  );
}

function ReasonForm({ title, label, submit, optional = false, busy, onSubmit }: { title: string; label: string; submit: string; optional?: boolean; busy: boolean; onSubmit: (text: string) => Promise<boolean> }) {
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const id = useId();
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!optional && text.trim().length < 3) {
      setInvalid('Enter at least 3 characters.');
      return;
    }
    setInvalid(null);
    if (await onSubmit(text.trim())) setText('');
  };
  return (
    <Disclosure title={title}>
      <form className="form" onSubmit={(e) => void send(e)} noValidate>
        <div className={`field${invalid ? ' field--error' : ''}`}>
          <label htmlFor={id}>{label}</label>
          {invalid && (
            <p className="field-error" id={`${id}-err`}>
              {invalid}
            </p>
          )}
          <textarea id={id} rows={3} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={invalid ? true : undefined} aria-describedby={invalid ? `${id}-err` : undefined} />
        </div>
        <button type="submit" className="button button--primary" disabled={busy}>
          {submit}
        </button>
      </form>
    </Disclosure>
  );
}

function PriorityForm({ ticket, busy, act }: { ticket: Ticket; busy: boolean; act: Act }) {
  const [priority, setPriority] = useState<Priority>(ticket.priority);
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const id = useId();
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (priority === ticket.priority) return setInvalid('Choose a different priority.');
    if (reason.trim().length < 3) return setInvalid('A reason of at least 3 characters is required.');
    setInvalid(null);
    if (await act('priority', { priority, reason: reason.trim() }, `priority changed to ${priority}; deadlines recomputed.`)) setReason('');
  };
  return (
    <Disclosure title="Change priority">
      <form className="form" onSubmit={(e) => void send(e)} noValidate>
        {invalid && (
          <p className="field-error" role="alert">
            {invalid}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-p`}>New priority</label>
          <select id={`${id}-p`} value={priority} onChange={(e) => setPriority(e.target.value as Priority)}>
            {(['P1', 'P2', 'P3', 'P4'] as const).map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-r`}>Reason (required)</label>
          <textarea id={`${id}-r`} rows={2} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <button type="submit" className="button button--primary" disabled={busy}>
          Change priority
        </button>
      </form>
    </Disclosure>
  );
}

function AssignForm({ ticket, busy, act }: { ticket: Ticket; busy: boolean; act: Act }) {
  const [teamId, setTeamId] = useState(ticket.teamId ?? '');
  const [assigneeId, setAssigneeId] = useState('');
  const id = useId();
  const send = async (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, string | null> = { teamId: teamId.trim() || null };
    if (assigneeId.trim()) body['assigneeId'] = assigneeId.trim();
    await act('assign', body, 'assignment changed.');
  };
  return (
    <Disclosure title="Assign">
      <form className="form" onSubmit={(e) => void send(e)} noValidate>
        <div className="field">
          <label htmlFor={`${id}-t`}>Team</label>
          <input id={`${id}-t`} type="text" value={teamId} onChange={(e) => setTeamId(e.target.value)} placeholder="e.g. it-tier2" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-a`}>Person (user id, optional)</label>
          <input id={`${id}-a`} type="text" value={assigneeId} onChange={(e) => setAssigneeId(e.target.value)} />
        </div>
        <button type="submit" className="button button--primary" disabled={busy}>
          Assign
        </button>
      </form>
    </Disclosure>
  );
}

function VendorForm({ busy, act }: { busy: boolean; act: Act }) {
  const [vendorOrgId, setVendorOrgId] = useState('acme-it');
  const [reason, setReason] = useState('');
  const id = useId();
  const send = async (e: FormEvent) => {
    e.preventDefault();
    await act('hand-to-vendor', { vendorOrgId: vendorOrgId.trim(), ...(reason.trim() ? { reason: reason.trim() } : {}) }, `handed to ${vendorOrgId.trim()}; the vendor contract clock started.`);
  };
  return (
    <Disclosure title="Hand to vendor">
      <form className="form" onSubmit={(e) => void send(e)} noValidate>
        <div className="field">
          <label htmlFor={`${id}-v`}>Vendor organisation</label>
          <input id={`${id}-v`} type="text" value={vendorOrgId} onChange={(e) => setVendorOrgId(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-r`}>Reason (optional)</label>
          <textarea id={`${id}-r`} rows={2} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <button type="submit" className="button button--primary" disabled={busy || !vendorOrgId.trim()}>
          Hand to vendor
        </button>
      </form>
    </Disclosure>
  );
}
