import { useId, useMemo, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Countdown, LiveIndicator, PriorityBadge, QueryState, StatusText } from '../../../components/ui.js';
import { STATUS_LABELS, siteLabel } from '../../../lib/labels.js';
import { useNow } from '../../../lib/live.js';
import { useIdentity } from '../../../lib/session.js';
import { PageHeading } from '../../../components/PageHeading.js';
import type { TicketStatus } from '../../../lib/api/types.js';
import { ticketKeys, useLiveTicketList, useTicketList } from '../../tickets/api/tickets.js';
import { applyLiveTicket, filtersFromSearch, NO_FILTERS, queueQuery, searchFromFilters, type QueueFilters } from '../logic/queue.js';

const STATUSES = Object.keys(STATUS_LABELS) as TicketStatus[];

/**
 * IT's queue: every ticket matching the filters, soonest next deadline first, with live SLA
 * countdowns. The live stream adds, moves and removes rows as tickets change, without a reload.
 */
export function QueuePage() {
  const identity = useIdentity();
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(search.toString()), [search]);
  const [draft, setDraft] = useState<QueueFilters>(filters);
  const [fresh, setFresh] = useState<Set<string>>(() => new Set());
  const [announcement, setAnnouncement] = useState('');
  const now = useNow(1000);
  const idBase = useId();

  const listQuery = useMemo(() => queueQuery(filters), [filters]);
  const query = useTicketList(listQuery);
  const live = useLiveTicketList(
    ticketKeys.list(listQuery),
    (list, ticket) => applyLiveTicket(list, ticket, filters),
    (before, after, m) => {
      const known = before.some((t) => t.id === m.ticket.id);
      const shown = after.some((t) => t.id === m.ticket.id);
      if (!known && shown) {
        setFresh((f) => new Set(f).add(m.ticket.id));
        setAnnouncement(`New in the queue: ${m.ticket.number}, ${m.ticket.priority}, ${m.ticket.title}`);
      }
    },
  );

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setSearch(searchFromFilters(draft), { replace: true });
  };
  const reset = () => {
    setDraft(NO_FILTERS);
    setSearch('', { replace: true });
  };
  const set = <K extends keyof QueueFilters>(k: K, v: QueueFilters[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const id = (k: string) => `${idBase}-${k}`;

  return (
    <>
      <PageHeading>Queue</PageHeading>
      <p className="lead">Open tickets, the next deadline first. Signed in as {identity.name || identity.username}.</p>
      <LiveIndicator state={live} />
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>

      <form className="card filters" onSubmit={apply} aria-label="Filter the queue">
        <div className="filters__grid">
          <div className="field">
            <label htmlFor={id('status')}>Status</label>
            <select id={id('status')} value={draft.status} onChange={(e) => set('status', e.target.value as QueueFilters['status'])}>
              <option value="">Any open</option>
              <option value="all">Any, including closed</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={id('priority')}>Priority</label>
            <select id={id('priority')} value={draft.priority} onChange={(e) => set('priority', e.target.value as QueueFilters['priority'])}>
              <option value="">Any</option>
              {(['P1', 'P2', 'P3', 'P4'] as const).map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={id('tier')}>Tier</label>
            <select id={id('tier')} value={draft.tier} onChange={(e) => set('tier', e.target.value as QueueFilters['tier'])}>
              <option value="">Any</option>
              <option value="1">1 – service desk</option>
              <option value="2">2 – specialists</option>
              <option value="3">3 – vendor</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={id('site')}>Site</label>
            <input id={id('site')} type="text" value={draft.siteId} placeholder="e.g. north" onChange={(e) => set('siteId', e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={id('team')}>Team</label>
            <input id={id('team')} type="text" value={draft.teamId} placeholder="e.g. it-tier2" onChange={(e) => set('teamId', e.target.value)} />
          </div>
          <div className="field field--checkbox filters__risk">
            <input id={id('risk')} type="checkbox" checked={draft.atRisk} onChange={(e) => set('atRisk', e.target.checked)} />
            <label htmlFor={id('risk')}>Only SLA at risk</label>
          </div>
        </div>
        <div className="form__actions">
          <button type="submit" className="button button--primary">
            Apply filters
          </button>
          <button type="button" className="button button--secondary" onClick={reset}>
            Clear
          </button>
        </div>
      </form>

      <QueryState query={query} loading="Loading the queue…" failed="The queue could not be loaded. Please try again.">
        {({ items: tickets }) =>
          tickets.length === 0 ? (
            <p className="empty">No tickets match these filters.</p>
          ) : (
        <div className="table-wrap">
          <table className="queue">
            <caption className="visually-hidden">Tickets, soonest next deadline first</caption>
            <thead>
              <tr>
                <th scope="col">Ticket</th>
                <th scope="col">Priority</th>
                <th scope="col">Status</th>
                <th scope="col">Site</th>
                <th scope="col">Tier</th>
                <th scope="col">Next deadline</th>
              </tr>
            </thead>
            <tbody>
              {tickets.map((t) => (
                <tr key={t.id} className={`${t.slaAtRisk ? 'queue__row--risk' : ''} ${fresh.has(t.id) ? 'queue__row--new' : ''}`.trim() || undefined} data-ticket-number={t.number}>
                  <th scope="row">
                    <Link to={`/tickets/${encodeURIComponent(t.id)}`} className="queue__title">
                      <span className="ticket-number">{t.number}</span> {t.title}
                    </Link>
                    {fresh.has(t.id) && <span className="tag tag--new">New</span>}
                    {t.slaAtRisk && <span className="tag tag--risk">SLA at risk</span>}
                    {t.patientCareAffected && <span className="tag tag--care">Patient care</span>}
                  </th>
                  <td>
                    <PriorityBadge priority={t.priority} />
                  </td>
                  <td>
                    <StatusText status={t.status} />
                    {t.assigneeId === identity.id && <span className="hint"> (you)</span>}
                  </td>
                  <td>{siteLabel(t.siteId)}</td>
                  <td>{t.tier}</td>
                  <td>
                    <Countdown deadline={t.nextDeadlineAt} now={now} prefix={t.nextDeadlineKind ?? 'deadline'} />
                    {t.nextDeadlineKind && <span className="hint queue__kind">{t.nextDeadlineKind}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
          )
        }
      </QueryState>
    </>
  );
}
