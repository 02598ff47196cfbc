import { ApiError } from '../../../lib/api/client.js';
import type { PolicyWhatIf, PolicyWhatIfOutcome } from '../../../lib/api/types.js';
import { errorMessage } from '../../../lib/query-client.js';
import { PRIORITY_LABELS } from '../../../lib/labels.js';
import { usePolicyWhatIf } from '../api/what-if.js';
import { replayMatchesRecord, whatIfSummary } from '../logic/what-if.js';
import type { PolicyShape } from '../logic/policy.js';

const DAYS = 90;

/** Why there is no what-if: the server's first issue with the draft, or its message. */
function problemOf(err: unknown): string {
  if (err instanceof ApiError && err.status === 422) {
    const first = err.details[0];
    return `The what-if needs a draft without problems${first ? `: ${first.path} ${first.message}` : '.'}`;
  }
  return errorMessage(err, 'The what-if could not be computed. Please try again.');
}

/** "9 → 14" when the draft differs, else the one figure. */
function Figure({ current, draft }: { current: number; draft: number }) {
  if (current === draft) return <>{current}</>;
  return (
    <>
      {current} <span aria-hidden="true">→</span>
      <span className="visually-hidden"> would become </span> <strong>{draft}</strong>
    </>
  );
}

const MEASURES: { label: string; of: (o: PolicyWhatIfOutcome) => number }[] = [
  { label: 'Pages', of: (o) => o.pages },
  { label: 'Vendor pages', of: (o) => o.vendorPages },
  { label: 'Vendor hand-offs', of: (o) => o.vendorHandOffs },
  { label: 'Response breaches', of: (o) => o.breaches.response },
  { label: 'Resolution breaches', of: (o) => o.breaches.resolution },
  { label: 'Vendor breaches', of: (o) => o.breaches.vendor_response + o.breaches.vendor_resolution },
];

function WhatIfTable({ result }: { result: PolicyWhatIf }) {
  return (
    <div className="table-wrap">
      <table className="report" data-testid="what-if-table">
        <caption>Per priority: the current version (version {result.currentVersion}), then the draft where it differs</caption>
        <thead>
          <tr>
            <th scope="col">Priority</th>
            <th scope="col">Tickets</th>
            {MEASURES.map((m) => (
              <th scope="col" key={m.label}>
                {m.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[...result.rows.map((r) => ({ key: r.priority, label: PRIORITY_LABELS[r.priority] ?? r.priority, ...r })), { key: 'total', label: 'All', ...result.total }].map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td>{r.current.tickets}</td>
              {MEASURES.map((m) => (
                <td key={m.label}>
                  <Figure current={m.of(r.current)} draft={m.of(r.draft)} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The policy what-if: the last 90 days' real tickets replayed on the draft being edited and on
 * the current version, by the server with the workflow's own escalation and calendar code. Asked
 * for by the lead (it reads every ticket of the period), beside the preview and the diff.
 */
export function WhatIfSection({ policy, headingId }: { policy: PolicyShape | null; headingId: string }) {
  const whatIf = usePolicyWhatIf();
  const result = whatIf.data;
  return (
    <section className="card" aria-labelledby={headingId} data-testid="policy-what-if">
      <h2 id={headingId}>What if: the last {DAYS} days on this draft</h2>
      <p className="hint">
        Replays every ticket opened in the last {DAYS} days, with what people really did to it and when, on the draft as it stands and on the current version.
        Pages count each escalation once per person or team it names.
      </p>
      <div className="form__actions">
        <button type="button" className="button button--secondary" disabled={!policy || whatIf.isPending} onClick={() => policy && whatIf.mutate({ policy, days: DAYS })}>
          {whatIf.isPending ? 'Replaying…' : result ? 'Replay again' : `Replay the last ${DAYS} days`}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {!policy && <p>The what-if needs the draft to be valid JSON.</p>}
        {whatIf.error && <p>{problemOf(whatIf.error)}</p>}
        {result && (
          <p data-testid="what-if-summary">
            <strong>
              {result.total.current.tickets} ticket{result.total.current.tickets === 1 ? '' : 's'}:
            </strong> {whatIfSummary(result)}
          </p>
        )}
      </div>
      {result && (
        <>
          <WhatIfTable result={result} />
          {!replayMatchesRecord(result) && (
            <p className="hint" data-testid="what-if-mismatch">
              On the {result.total.recorded.tickets} ticket(s) opened on the current version, its replay pages {result.total.recordedReplay.pages} times where it really paged{' '}
              {result.total.recorded.pages}: read the draft&apos;s figures with that in mind.
            </p>
          )}
          {(result.skipped.draft > 0 || result.skipped.current > 0) && (
            <p className="hint">
              Left out: {result.skipped.draft} ticket(s) the draft has no rule for, {result.skipped.current} the current version has no rule for.
            </p>
          )}
        </>
      )}
    </section>
  );
}
