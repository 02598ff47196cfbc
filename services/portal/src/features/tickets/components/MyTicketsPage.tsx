import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type TokenSource } from '../../../lib/api.js';
import type { Identity } from '../../../lib/auth.js';
import { ErrorNotice, LiveIndicator, PlainStatusBadge, When } from '../../../components/ui.js';
import { siteLabel } from '../../../lib/labels.js';
import { useLiveTickets } from '../../../lib/live.js';
import { PageHeading } from '../../../components/PageHeading.js';
import { Link } from '../../../app/router.js';
import type { StreamMessage, Ticket, TicketPage } from '../../../lib/types.js';

/** Newest change first, the way a person looks for "what happened to mine". */
function upsert(list: Ticket[], t: Ticket): Ticket[] {
  const rest = list.filter((x) => x.id !== t.id);
  return [t, ...rest].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

/** The tickets a person reported, and those of their sites, each in plain words; kept live. */
export function MyTicketsPage({ identity, getToken }: { identity: Identity; getToken: TokenSource }) {
  const [tickets, setTickets] = useState<Ticket[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const page = await api<TicketPage>(getToken, '/api/v1/tickets?sort=newest&limit=100');
      setTickets(page.items);
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 403 ? 'Your role does not list tickets here.' : err instanceof ApiError ? err.message : 'Your tickets could not be loaded.');
    }
  }, [getToken]);
  useEffect(() => {
    void load();
  }, [load]);
  const onTicket = useCallback((m: StreamMessage) => setTickets((list) => (list ? upsert(list, m.ticket) : list)), []);
  const live = useLiveTickets(getToken, { onTicket, onReady: () => void load() });

  const mine = tickets?.filter((t) => t.requesterId === identity.id) ?? [];
  const site = tickets?.filter((t) => t.requesterId !== identity.id) ?? [];

  return (
    <>
      <PageHeading>{identity.roles.includes('clinic_staff') ? 'My tickets' : 'Tickets'}</PageHeading>
      <LiveIndicator state={live} />
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {tickets === null && !error && (
        <p className="loading" role="status">
          Loading your tickets…
        </p>
      )}
      {tickets !== null && (
        <>
          <TicketList title="Reported by you" tickets={mine} empty={<>You have not reported anything yet. <Link href="/">Report a problem</Link>.</>} />
          {identity.sites.length > 0 && (
            <TicketList title={`Reported by others at ${identity.sites.map(siteLabel).join(', ')}`} tickets={site} empty="Nothing else reported at your site." />
          )}
          {identity.sites.length === 0 && site.length > 0 && <TicketList title="Other tickets you can see" tickets={site} empty="" />}
        </>
      )}
    </>
  );
}

function TicketList({ title, tickets, empty }: { title: string; tickets: Ticket[]; empty: React.ReactNode }) {
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
              <Link href={`/tickets/${encodeURIComponent(t.id)}`} className="ticket-list__link">
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
