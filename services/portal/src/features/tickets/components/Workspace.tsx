import { useState, type ReactNode } from 'react';
import type { Identity } from '../../../lib/auth.js';
import { Countdown, ErrorNotice, LiveIndicator, PriorityBadge, StatusText, When } from '../../../components/ui.js';
import { CATEGORIES, labelOf, siteLabel } from '../../../lib/labels.js';
import { useNow, type LiveState } from '../../../lib/live.js';
import { mergeTimeline } from '../logic/timeline.js';
import { PageHeading } from '../../../components/PageHeading.js';
import { Link } from 'react-router';
import { Conversation } from './ticket-shared.js';
import { Attachments } from '../../attachments/components/Attachments.js';
import { useTicketActions, type TicketData } from '../api/tickets.js';
import { Actions, type Act } from './WorkspaceActions.js';
import { SatisfactionCard } from './SatisfactionCard.js';
import { PossibleDuplicate } from './PossibleDuplicate.js';
import type { ClockView } from '../../../lib/api/types.js';
import { IncidentPanel } from '../../incidents/components/IncidentPanel.js';

const CLOCK_LABELS: Record<ClockView['name'], string> = {
  response: 'Response',
  resolution: 'Resolution',
  vendor_response: 'Vendor response',
  vendor_resolution: 'Vendor resolution',
};
const CLOCK_STATES: Record<ClockView['state'], string> = { running: 'running', paused: 'paused', stopped: 'stopped', not_started: 'not started' };

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
          <PossibleDuplicate ticket={t} />
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

          <IncidentPanel ticket={t} />

          <Attachments ticketId={t.id} identity={identity} />

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
          <SatisfactionCard ticketId={t.id} />
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
            <Actions ticket={t} identity={identity} busy={busy} act={act} awaitingPickup={Boolean(data.escalation?.awaitingPickupSince)} />
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
