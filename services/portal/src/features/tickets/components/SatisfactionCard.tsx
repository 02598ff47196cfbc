import { useQuery } from '@tanstack/react-query';
import { When } from '../../../components/ui.js';
import { call } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import { ticketKeys } from '../api/tickets.js';

/**
 * The requester's answers to the question after "Fixed" (1 to 5 and an optional comment), for IT;
 * nothing while there is none. Under the ticket's key, so a change of the ticket refreshes it.
 */
export function SatisfactionCard({ ticketId }: { ticketId: string }) {
  const api = useApi();
  const answers = useQuery({
    queryKey: [...ticketKeys.ticket(ticketId), 'satisfaction'],
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/tickets/{id}/satisfaction', { params: { path: { id: ticketId } }, signal })),
  });
  const items = answers.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section className="card" aria-labelledby="ws-satisfaction">
      <h2 id="ws-satisfaction">Requester’s satisfaction</h2>
      <ul className="comments">
        {items.map((a) => (
          <li key={a.linkId} className="comment">
            <p className="comment__meta">
              <When iso={a.answeredAt} />
            </p>
            <p className="comment__body">
              <strong>{a.rating} of 5</strong>
              {a.comment ? `: ${a.comment}` : ''}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
