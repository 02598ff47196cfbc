import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type TokenSource } from '../../../lib/api.js';
import type { Identity } from '../../../lib/auth.js';
import { Countdown, ErrorNotice, LiveIndicator, PriorityBadge, StatusText, When } from '../../../components/ui.js';
import { siteLabel, ticketHeadline } from '../../../lib/labels.js';
import { useLiveTickets, useNow } from '../../../lib/live.js';
import { formatMinutes } from '../../policies/logic/policy.js';
import { PageHeading } from '../../../components/PageHeading.js';
import { Link } from '../../../app/router.js';
import type { ClockView, EscalationState, StreamMessage, Ticket, TicketPage } from '../../../lib/types.js';

/** The contract clocks, or why there are none (the workflow may be unreachable for a moment). */
type Clocks = { response?: ClockView; resolution?: ClockView } | 'unavailable';

function ContractClock({ clock, now, what, notStarted }: { clock: ClockView | undefined; now: number; what: string; notStarted: string }) {
  if (!clock) return <span className="hint">no contract clock</span>;
  switch (clock.state) {
    case 'running':
      return <Countdown deadline={clock.deadlineAt} now={now} prefix={what} />;
    case 'paused':
      return <span>paused, {formatMinutes(Math.max(0, Math.round(clock.remainingMinutes)))} left</span>;
    case 'not_started':
      return <span className="hint">{notStarted}</span>;
    case 'stopped':
      return clock.breached ? <span className="countdown countdown--overdue">missed</span> : <span>met</span>;
  }
}

/**
 * A vendor's view: the tickets escalated to their organisation (the ticket service lists only
 * those), each with the contract's response and resolution clocks, kept live.
 */
export function VendorPage({ getToken }: { identity: Identity; getToken: TokenSource }) {
  const [tickets, setTickets] = useState<Ticket[] | null>(null);
  const [clocks, setClocks] = useState<Record<string, Clocks>>({});
  const [error, setError] = useState<string | null>(null);
  const now = useNow(1000);

  const loadClocks = useCallback(
    async (t: Ticket) => {
      try {
        const s = await api<EscalationState>(getToken, `/api/v1/tickets/${encodeURIComponent(t.id)}/escalation`);
        const find = (n: ClockView['name']) => s.clocks.find((c) => c.name === n);
        const vendorResponse = find('vendor_response');
        const vendorResolution = find('vendor_resolution');
        setClocks((m) => ({ ...m, [t.id]: { ...(vendorResponse ? { response: vendorResponse } : {}), ...(vendorResolution ? { resolution: vendorResolution } : {}) } }));
      } catch {
        setClocks((m) => ({ ...m, [t.id]: 'unavailable' }));
      }
    },
    [getToken],
  );

  const load = useCallback(async () => {
    try {
      const page = await api<TicketPage>(getToken, '/api/v1/tickets?sort=newest&limit=100');
      setTickets(page.items);
      setError(null);
      await Promise.all(page.items.map(loadClocks));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Your tickets could not be loaded.');
    }
  }, [getToken, loadClocks]);
  useEffect(() => {
    void load();
  }, [load]);

  const onTicket = useCallback(
    (m: StreamMessage) => {
      setTickets((list) => (list ? [m.ticket, ...list.filter((t) => t.id !== m.ticket.id)] : list));
      void loadClocks(m.ticket);
    },
    [loadClocks],
  );
  const live = useLiveTickets(getToken, { onTicket, onReady: () => void load() });

  return (
    <>
      <PageHeading>Tickets for your organisation</PageHeading>
      <p className="lead">Tickets the clinic has escalated to you, with the clocks of your contract. Open one to acknowledge it or reply.</p>
      <LiveIndicator state={live} />
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {tickets === null && !error && (
        <p className="loading" role="status">
          Loading…
        </p>
      )}
      {tickets !== null && tickets.length === 0 && <p className="empty">Nothing is escalated to your organisation right now.</p>}
      {tickets !== null && tickets.length > 0 && (
        <div className="table-wrap">
          <table className="queue" data-testid="vendor-tickets">
            <caption className="visually-hidden">Tickets escalated to your organisation</caption>
            <thead>
              <tr>
                <th scope="col">Ticket</th>
                <th scope="col">Priority</th>
                <th scope="col">Status</th>
                <th scope="col">Site</th>
                <th scope="col">Response due (contract)</th>
                <th scope="col">Resolution due (contract)</th>
                <th scope="col">Reported</th>
              </tr>
            </thead>
            <tbody>
              {tickets.map((t) => {
                const c = clocks[t.id];
                return (
                  <tr key={t.id} data-ticket-number={t.number}>
                    <th scope="row">
                      <Link href={`/tickets/${encodeURIComponent(t.id)}`} className="queue__title">
                        <span className="ticket-number">{t.number}</span> {ticketHeadline(t)}
                      </Link>
                    </th>
                    <td>
                      <PriorityBadge priority={t.priority} />
                    </td>
                    <td>
                      <StatusText status={t.status} />
                    </td>
                    <td>{siteLabel(t.siteId)}</td>
                    {c === undefined || c === 'unavailable' ? (
                      <td colSpan={2}>{c === undefined ? <span className="hint">loading…</span> : <span className="hint">clocks unavailable right now</span>}</td>
                    ) : (
                      <>
                        <td data-clock="vendor_response">
                          <ContractClock clock={c.response} now={now} what="vendor response due" notStarted="not started" />
                        </td>
                        <td data-clock="vendor_resolution">
                          <ContractClock clock={c.resolution} now={now} what="vendor resolution due" notStarted="starts when you acknowledge" />
                        </td>
                      </>
                    )}
                    <td>
                      <When iso={t.createdAt} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
