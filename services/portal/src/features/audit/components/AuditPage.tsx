import { useId, useState, type FormEvent } from 'react';
import { ApiError, type FieldError } from '../../../lib/api/client.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { PageHeading } from '../../../components/PageHeading.js';
import { errorMessage } from '../../../lib/query-client.js';
import { NO_FILTERS, type Filters } from '../logic/audit.js';
import { useAuditEvents, useAuditExport, useAuditVerification } from '../api/audit.js';

const FIELDS: { key: keyof Filters; label: string; type: string; hint: string }[] = [
  { key: 'ticketId', label: 'Ticket id', type: 'text', hint: 'The ticket’s id (a UUID), as in its address.' },
  { key: 'actorId', label: 'Actor', type: 'text', hint: 'A user id or a system component.' },
  { key: 'type', label: 'Event type', type: 'text', hint: 'e.g. ticket.created, or ticket.* for a family.' },
  { key: 'from', label: 'From', type: 'datetime-local', hint: 'At or after, your local time.' },
  { key: 'to', label: 'Until', type: 'datetime-local', hint: 'Before, your local time.' },
];

/**
 * The audit log for auditors and IT leads: the hash-chained record of every event, filtered and
 * paged, with exports (JSONL with its signed trailer, or CSV) and the chain's verification.
 */
export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // Cursors of the pages before the current one, for "Previous"; '' is the first page.
  const [cursors, setCursors] = useState<string[]>(['']);
  const [exportError, setExportError] = useState<string | null>(null);
  const idBase = useId();
  const id = (k: string) => `${idBase}-${k}`;
  const cursor = cursors.at(-1) ?? '';
  const events = useAuditEvents(filters, cursor);
  const page = events.data ?? null;
  const error = exportError ?? (events.error ? errorMessage(events.error, 'The audit log could not be loaded.') : null);
  const fieldErrors: FieldError[] = events.error instanceof ApiError ? events.error.details : [];
  const verification = useAuditVerification();
  const report = verification.data ?? null;
  const verifying = verification.isFetching;
  const verifyError = verification.error ? errorMessage(verification.error, 'The audit log could not be verified.') : null;
  const verify = () => void verification.refetch();
  const exporter = useAuditExport();
  const downloading = exporter.isPending ? exporter.variables.format : null;

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    setCursors(['']);
  };
  const clear = () => {
    setDraft(NO_FILTERS);
    setFilters(NO_FILTERS);
    setCursors(['']);
  };

  const save = async (format: 'jsonl' | 'csv') => {
    try {
      const { blob, filename } = await exporter.mutateAsync({ filters, format });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename ?? `tierline-audit.${format}`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setExportError(null);
    } catch (err) {
      setExportError(errorMessage(err, 'The export failed. Please try again.'));
    }
  };

  const errorsOf = (k: keyof Filters) => fieldErrors.filter((f) => f.path === k || f.path.endsWith(`.${k}`));

  return (
    <>
      <PageHeading>Audit log</PageHeading>
      <p className="lead">Every recorded event in order, each chained to the one before by its hash; signed checkpoints seal the chain.</p>

      <section className="card" aria-labelledby={id('verify-title')} data-testid="audit-verify">
        <h2 id={id('verify-title')}>Verification</h2>
        <div role="status" aria-live="polite">
          {verifying && !report && <p className="loading">Checking every row and checkpoint…</p>}
          {verifyError && <p className="field-error">{verifyError}</p>}
          {report && (
            <div className={`status-card ${report.ok ? 'status-card--done' : 'status-card--action'}`}>
              <p className="verify__verdict" data-verified={report.ok}>
                <strong>{report.ok ? '✓ Verified' : '✗ Not verified'}</strong>
                {report.ok
                  ? `: all ${report.rowsChecked} row(s) and ${report.checkpointsChecked} signed checkpoint(s) check out.`
                  : `: the chain cannot be trusted from row ${report.firstBrokenSeq ?? '?'} on. ${report.reason ?? ''}`}
              </p>
              {report.ok && report.partial && <p className="hint">Rows after the last signed checkpoint are chained but not yet signed.</p>}
              {report.head && (
                <p className="hint">
                  Head: row {report.head.seq}, hash <code>{report.head.hash.slice(0, 16)}…</code>
                  {report.checkpoint && (
                    <>
                      ; last checkpoint at row {report.checkpoint.seq}, signed <When iso={report.checkpoint.signedAt} />
                    </>
                  )}
                </p>
              )}
            </div>
          )}
        </div>
        <button type="button" className="button button--secondary" onClick={verify} disabled={verifying}>
          {verifying ? 'Verifying…' : 'Verify again'}
        </button>
      </section>

      <form className="card filters" onSubmit={apply} aria-label="Filter the audit log">
        <div className="filters__grid">
          {FIELDS.map((f) => {
            const errs = errorsOf(f.key);
            return (
              <div key={f.key} className={`field${errs.length ? ' field--error' : ''}`}>
                <label htmlFor={id(f.key)}>{f.label}</label>
                <input
                  id={id(f.key)}
                  type={f.type}
                  value={draft[f.key]}
                  aria-invalid={errs.length > 0}
                  aria-describedby={`${id(`${f.key}-hint`)}${errs.length ? ` ${id(`${f.key}-error`)}` : ''}`}
                  onChange={(e) => setDraft((d) => ({ ...d, [f.key]: e.target.value }))}
                />
                <p className="hint" id={id(`${f.key}-hint`)}>
                  {f.hint}
                </p>
                {errs.length > 0 && (
                  <p className="field-error" id={id(`${f.key}-error`)}>
                    {errs.map((x) => x.message).join('; ')}
                  </p>
                )}
              </div>
            );
          })}
        </div>
        <div className="form__actions">
          <button type="submit" className="button button--primary">
            Apply filters
          </button>
          <button type="button" className="button button--secondary" onClick={clear}>
            Clear
          </button>
          <button type="button" className="button button--secondary" onClick={() => void save('jsonl')} disabled={downloading !== null}>
            Export JSONL (signed)
          </button>
          <button type="button" className="button button--secondary" onClick={() => void save('csv')} disabled={downloading !== null}>
            Export CSV
          </button>
        </div>
      </form>

      {error && <ErrorNotice>{error}</ErrorNotice>}
      {page === null && !error && (
        <p className="loading" role="status">
          Loading the audit log…
        </p>
      )}
      {page !== null && page.items.length === 0 && <p className="empty">No recorded event matches these filters.</p>}
      {page !== null && page.items.length > 0 && (
        <div className="table-wrap">
          <table className="audit" data-testid="audit-events">
            <caption className="visually-hidden">Audit log, page {cursors.length}, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Ticket</th>
                <th scope="col">Actor</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((e) => (
                <tr key={e.seq} data-event-type={e.type}>
                  <th scope="row">{e.seq}</th>
                  <td>
                    <When iso={e.occurredAt} />
                  </td>
                  <td>
                    <code>{e.type}</code>
                  </td>
                  <td>{e.ticketId ? <code title={e.ticketId}>{e.ticketId.slice(0, 8)}…</code> : '—'}</td>
                  <td>
                    {e.actor.kind}
                    {e.actor.role ? ` (${e.actor.role})` : ''} <code title={e.actor.id}>{e.actor.id.length > 12 ? `${e.actor.id.slice(0, 8)}…` : e.actor.id}</code>
                  </td>
                  <td>
                    <code title={e.hash}>{e.hash.slice(0, 10)}…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="form__actions" aria-label="Audit log pages">
        <button type="button" className="button button--secondary" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <span className="hint">Page {cursors.length}</span>
        <button
          type="button"
          className="button button--secondary"
          disabled={!page?.nextCursor}
          onClick={() => {
            const next = page?.nextCursor;
            if (next) setCursors((c) => [...c, next]);
          }}
        >
          Next page
        </button>
      </nav>
    </>
  );
}
