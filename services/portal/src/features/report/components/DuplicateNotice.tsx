import { useReportDuplicates } from '../api/likely-duplicates.js';
import { duplicateNotice } from '../logic/duplicates.js';

/**
 * "IT already knows about this: IT-1042", shown on the report form as soon as the site and the
 * category are chosen, before she sends it (docs/decisions/0042). She can still send it. Announced
 * politely by screen readers when it appears; silent when nothing matches or the question fails
 * (the report matters more than the hint).
 */
export function DuplicateNotice({ siteId, category, headingId }: { siteId: string; category: string; headingId: string }) {
  const { data } = useReportDuplicates(siteId, category);
  const notice = data ? duplicateNotice(data.items, data.windowMinutes, data.autoLink) : null;
  return (
    <div role="status" aria-live="polite">
      {notice && (
        <section className="notice notice--warning duplicate-notice" aria-labelledby={headingId} data-testid="duplicate-notice">
          <h2 id={headingId}>
            {notice.headline}
          </h2>
          <ul>
            {notice.matches.map((m) => (
              <li key={m.number}>{m.text}</li>
            ))}
          </ul>
          <p>{notice.next}</p>
        </section>
      )}
    </div>
  );
}
