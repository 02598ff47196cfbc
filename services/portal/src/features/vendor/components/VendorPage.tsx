import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Countdown, LiveIndicator, PriorityBadge, QueryState, StatusText, When } from '../../../components/ui.js';
import { siteLabel, ticketHeadline } from '../../../lib/labels.js';
import { useNow } from '../../../lib/live.js';
import { formatMinutes } from '../../policies/logic/policy.js';
import { PageHeading } from '../../../components/PageHeading.js';
import type { ClockView, EscalationState, Ticket } from '../../../lib/api/types.js';
import { ticketKeys, useEscalation, useLiveTicketList, useTicketList } from '../../tickets/api/tickets.js';

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

const VENDOR_TICKETS = { sort: 'newest', limit: 100 } as const;

/** The contract clocks of one ticket (the workflow may be unreachable for a moment). */
function vendorClocks(s: EscalationState): { response?: ClockView; resolution?: ClockView } {
  const find = (n: ClockView['name']) => s.clocks.find((c) => c.name === n);
  const response = find('vendor_response');
  const resolution = find('vendor_resolution');
  return { ...(response ? { response } : {}), ...(resolution ? { resolution } : {}) };
}

/**
 * A vendor's view: the tickets escalated to their organisation (the ticket service lists only
 * those), each with the contract's response and resolution clocks, kept live.
 */
export function VendorPage() {
  const queryClient = useQueryClient();
  const query = useTicketList(VENDOR_TICKETS);
  const now = useNow(1000);
  const live = useLiveTicketList(
    ticketKeys.list(VENDOR_TICKETS),
    (list, ticket) => [ticket, ...list.filter((t) => t.id !== ticket.id)],
    (_before, _after, m) => void queryClient.invalidateQueries({ queryKey: ticketKeys.part(m.ticket.id, 'escalation') }),
  );

  return (
    <>
      <PageHeading>Tickets for your organisation</PageHeading>
      <p className="lead">Tickets the clinic has escalated to you, with the clocks of your contract. Open one to acknowledge it or reply.</p>
      <LiveIndicator state={live} />
      <QueryState query={query} loading="Loading…" failed="Your tickets could not be loaded.">
        {({ items: tickets }) =>
          tickets.length === 0 ? (
            <p className="empty">Nothing is escalated to your organisation right now.</p>
          ) : (
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
              {tickets.map((t) => (
                <VendorRow key={t.id} ticket={t} now={now} />
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

function VendorRow({ ticket: t, now }: { ticket: Ticket; now: number }) {
  const escalation = useEscalation(t.id);
  const c = escalation.data ? vendorClocks(escalation.data) : escalation.isError ? 'unavailable' : undefined;
  return (
                  <tr data-ticket-number={t.number}>
                    <th scope="row">
                      <Link to={`/tickets/${encodeURIComponent(t.id)}`} className="queue__title">
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
}
