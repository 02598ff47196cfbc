import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, type TokenSource } from '../../../lib/api.js';
import type { Identity } from '../../../lib/auth.js';
import { Countdown, ErrorNotice, LiveIndicator, PriorityBadge, StatusText } from '../../../components/ui.js';
import { STATUS_LABELS, siteLabel } from '../../../lib/labels.js';
import { useLiveTickets, useNow } from '../../../lib/live.js';
import { applyLiveTicket, filtersFromSearch, NO_FILTERS, queueQuery, searchFromFilters, type QueueFilters } from '../logic/queue.js';
import { PageHeading } from '../../../components/PageHeading.js';
import { Link, navigate } from '../../../app/router.js';
import type { StreamMessage, Ticket, TicketPage, TicketStatus } from '../../../lib/types.js';

const STATUSES = Object.keys(STATUS_LABELS) as TicketStatus[];

/**
 * IT's queue: every ticket matching the filters, soonest next deadline first, with live SLA
 * countdowns. The live stream adds, moves and removes rows as tickets change, without a reload.
 */
export function QueuePage({ identity, getToken }: { identity: Identity; getToken: TokenSource }) {
  const [filters, setFilters] = useState<QueueFilters>(() => filtersFromSearch(window.location.search));
  const [draft, setDraft] = useState<QueueFilters>(filters);
  const [tickets, setTickets] = useState<Ticket[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(() => new Set());
  const [announcement, setAnnouncement] = useState('');
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const now = useNow(1000);
  const idBase = useId();

  const load = useCallback(
    async (f: QueueFilters) => {
      try {
        const page = await api<TicketPage>(getToken, `/api/v1/tickets?${queueQuery(f)}`);
        setTickets(page.items);
        setError(null);
      } catch (err) {
        setError(err instanceof ApiError ? err.message : 'The queue could not be loaded. Please try again.');
      }
    },
    [getToken],
  );

  useEffect(() => {
    void load(filters);
  }, [filters, load]);

  const onTicket = useCallback((m: StreamMessage) => {
    setTickets((list) => {
      if (!list) return list;
      const known = list.some((t) => t.id === m.ticket.id);
      const next = applyLiveTicket(list, m.ticket, filtersRef.current);
      const shown = next.some((t) => t.id === m.ticket.id);
      if (!known && shown) {
        setFresh((s) => new Set(s).add(m.ticket.id));
        setAnnouncement(`New in the queue: ${m.ticket.number}, ${m.ticket.priority}, ${m.ticket.title}`);
      }
      return next;
    });
  }, []);
  const live = useLiveTickets(getToken, { onTicket, onReady: () => void load(filtersRef.current) });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    navigate(`${window.location.pathname}${searchFromFilters(draft)}`, { replace: true });
  };
  const reset = () => {
    setDraft(NO_FILTERS);
    setFilters(NO_FILTERS);
    navigate(window.location.pathname, { replace: true });
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

      {error && <ErrorNotice>{error}</ErrorNotice>}
      {tickets === null && !error && (
        <p className="loading" role="status">
          Loading the queue…
        </p>
      )}
      {tickets !== null && tickets.length === 0 && <p className="empty">No tickets match these filters.</p>}
      {tickets !== null && tickets.length > 0 && (
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
                    <Link href={`/tickets/${encodeURIComponent(t.id)}`} className="queue__title">
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
      )}
    </>
  );
}
