import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../../lib/api/client.js';
import { LiveIndicator, PlainStatusBadge, QueryState, When } from '../../../components/ui.js';
import { siteLabel } from '../../../lib/labels.js';
import { useIdentity } from '../../../lib/session.js';
import { PageHeading } from '../../../components/PageHeading.js';
import type { Ticket } from '../../../lib/api/types.js';
import { ticketKeys, useLiveTicketList, useTicketList } from '../api/tickets.js';

/** Newest change first, the way a person looks for "what happened to mine". */
function upsert(list: Ticket[], t: Ticket): Ticket[] {
  const rest = list.filter((x) => x.id !== t.id);
  return [t, ...rest].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

const MY_TICKETS = { sort: 'newest', limit: 100 } as const;

/** The tickets a person reported, and those of their sites, each in plain words; kept live. */
export function MyTicketsPage() {
  const identity = useIdentity();
  const query = useTicketList(MY_TICKETS);
  const live = useLiveTicketList(ticketKeys.list(MY_TICKETS), upsert);

  return (
    <>
      <PageHeading>{identity.roles.includes('clinic_staff') ? 'My tickets' : 'Tickets'}</PageHeading>
      <LiveIndicator state={live} />
      <QueryState
        query={query}
        loading="Loading your tickets…"
        failed="Your tickets could not be loaded."
        describe={(err) => (err instanceof ApiError && err.status === 403 ? 'Your role does not list tickets here.' : null)}
      >
        {({ items }) => {
          const mine = items.filter((t) => t.requesterId === identity.id);
          const site = items.filter((t) => t.requesterId !== identity.id);
          return (
            <>
              <TicketList title="Reported by you" tickets={mine} empty={<>You have not reported anything yet. <Link to="/">Report a problem</Link>.</>} />
              {identity.sites.length > 0 && (
                <TicketList title={`Reported by others at ${identity.sites.map(siteLabel).join(', ')}`} tickets={site} empty="Nothing else reported at your site." />
              )}
              {identity.sites.length === 0 && site.length > 0 && <TicketList title="Other tickets you can see" tickets={site} empty="" />}
            </>
          );
        }}
      </QueryState>
    </>
  );
}

function TicketList({ title, tickets, empty }: { title: string; tickets: Ticket[]; empty: ReactNode }) {
  const headingId = `list-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {tickets.length === 0 ? (
        <p className="empty">{empty}</p>
      ) : (
        <ul className="ticket-list">
          {tickets.map((t) => (
            <li key={t.id} className="ticket-list__item" data-ticket-number={t.number}>
              <Link to={`/tickets/${encodeURIComponent(t.id)}`} className="ticket-list__link">
                <span className="ticket-number">{t.number}</span> {t.title}
              </Link>
              <span className="ticket-list__meta">
                <PlainStatusBadge status={t.status} /> <span className="hint">reported <When iso={t.createdAt} /></span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
