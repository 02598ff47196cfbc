import { Link } from 'react-router';
import { isIt } from '../../lib/auth.js';
import { useIdentity } from '../../lib/session.js';
import { CATEGORIES, labelOf, siteLabel } from '../../lib/labels.js';
import { When } from '../ui.js';
import { useStatusBanners } from '../../features/incidents/api/incidents.js';

/**
 * What IT knows: the open major incidents and the maintenance windows running now that touch the signed-in
 * person's sites, with IT's latest status and when the next update is due. Shown on the home page
 * and on the report form; nothing when there is nothing to say.
 */
export function StatusBanner() {
  const identity = useIdentity();
  const it = isIt(identity);
  const allowed = it || identity.roles.includes('clinic_staff');
  const { data } = useStatusBanners(allowed);
  if (!data || (data.incidents.length === 0 && data.maintenance.length === 0)) return null;
  return (
    <section className="status-banner" aria-labelledby="status-banner-heading" data-testid="status-banner">
      <h2 id="status-banner-heading" className="status-banner__heading">
        IT already knows
      </h2>
      <ul className="status-banner__list">
        {data.incidents.map((b) => (
          <li key={b.ticketId} className="status-banner__item">
            <p>
              <strong>
                {labelOf(CATEGORIES, b.category)} problem at {b.siteIds.map(siteLabel).join(', ')}
              </strong>{' '}
              ({it ? <Link to={`/tickets/${b.ticketId}`}>{b.number}</Link> : b.number}
              {b.childCount > 0 ? `, ${b.childCount} linked reports` : ''})
            </p>
            {b.status ? (
              <>
                <p className="status-banner__message">{b.status.message}</p>
                <p className="status-banner__meta">
                  Posted <When iso={b.status.postedAt} />
                  {b.status.nextUpdateAt && (
                    <>
                      {' '}
                      · Next update by <When iso={b.status.nextUpdateAt} />
                    </>
                  )}
                </p>
              </>
            ) : (
              <p className="status-banner__message">IT is working on it. An update will follow here.</p>
            )}
          </li>
        ))}
        {data.maintenance.map((m) => (
          <li key={m.id} className="status-banner__item">
            <p>
              <strong>
                Planned maintenance: {m.category === null ? 'all systems' : labelOf(CATEGORIES, m.category)} at {m.siteIds.map(siteLabel).join(', ')}
              </strong>
            </p>
            <p className="status-banner__message">{m.title}</p>
            <p className="status-banner__meta">
              <When iso={m.startsAt} /> to <When iso={m.endsAt} />
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
