import { useId, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../../lib/api/client.js';
import type { Ticket } from '../../../lib/api/types.js';
import { ErrorNotice } from '../../../components/ui.js';
import { useTicketDuplicates } from '../../report/api/likely-duplicates.js';
import { useLinkDuplicate } from '../api/link-duplicate.js';

/**
 * On IT's ticket page: "Possible duplicate of IT-1042" for an open ticket that has the site and
 * category of an open major incident, or of an urgent report made shortly before it, with a
 * one-click "Link to IT-1042" (docs/decisions/0042). Linking to a match that is not a major
 * incident yet declares it one first. Nothing shows for a major incident or a ticket already linked.
 */
export function PossibleDuplicate({ ticket }: { ticket: Ticket }) {
  const open = ticket.status !== 'resolved' && ticket.status !== 'closed';
  const eligible = open && !ticket.majorIncident && !ticket.incidentParentId;
  const { data } = useTicketDuplicates(ticket.id, eligible);
  const link = useLinkDuplicate(ticket.id);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const headingId = useId();
  const match = data?.items[0];
  const others = data?.items.slice(1) ?? [];

  if (done) {
    return (
      <div className="notice notice--success" role="status">
        <p>
          {ticket.number} is linked to {done}: it follows that incident now.
        </p>
      </div>
    );
  }
  if (!eligible || !match?.ticketId) return null;
  const major = match.kind === 'major_incident';
  const onLink = async () => {
    setError(null);
    try {
      await link.mutateAsync({ ticketId: match.ticketId!, majorIncident: major });
      setDone(match.number);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : `${ticket.number} could not be linked. Please try again.`);
    }
  };

  return (
    <section className="card possible-duplicate" aria-labelledby={headingId} data-testid="possible-duplicate">
      <h2 id={headingId}>Possible duplicate of {match.number}</h2>
      <p>
        <Link to={`/tickets/${encodeURIComponent(match.ticketId)}`}>
          {match.number}: {match.title}
        </Link>{' '}
        has the same site and kind of problem.{' '}
        {major ? 'It is an open major incident.' : `It is a ${match.priority ?? 'recent'} reported shortly before this one; linking makes it a major incident.`}
      </p>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      <div className="form__actions">
        <button type="button" className="button button--primary" onClick={() => void onLink()} disabled={link.isPending}>
          {link.isPending ? 'Linking…' : `Link to ${match.number}`}
        </button>
      </div>
      {others.length > 0 && <p className="hint">Also similar: {others.map((d) => d.number).join(', ')}.</p>}
    </section>
  );
}
