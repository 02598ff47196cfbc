import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { api, apiDownload, ApiError, type TokenSource } from '../../../lib/api.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { PageHeading } from '../../../components/PageHeading.js';
import type { FieldError } from '../../../lib/types.js';
import { auditQuery, NO_FILTERS, type Filters } from '../logic/audit.js';

interface AuditEntry {
  seq: number;
  eventId: string;
  type: string;
  ticketId: string | null;
  actor: { kind: string; id: string; role: string | null };
  occurredAt: string;
  recordedAt: string;
  event: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
interface AuditPageBody {
  items: AuditEntry[];
  nextCursor: string | null;
}
interface VerifyReport {
  ok: boolean;
  rowsChecked: number;
  checkpointsChecked: number;
  head: { seq: number; hash: string } | null;
  partial: boolean;
  firstBrokenSeq?: number;
  reason?: string;
  checkpoint?: { seq: number; signedAt: string };
}

const PAGE_SIZE = 50;

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
export function AuditPage({ getToken }: { getToken: TokenSource }) {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // Cursors of the pages before the current one, for "Previous"; '' is the first page.
  const [cursors, setCursors] = useState<string[]>(['']);
  const [page, setPage] = useState<AuditPageBody | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldError[]>([]);
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [verifyError, setVerifyError] = useState<string | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [downloading, setDownloading] = useState<string | null>(null);
  const idBase = useId();
  const id = (k: string) => `${idBase}-${k}`;
  const cursor = cursors.at(-1) ?? '';

  const load = useCallback(async () => {
    const q = auditQuery(filters);
    q.set('limit', String(PAGE_SIZE));
    if (cursor) q.set('cursor', cursor);
    try {
      setPage(await api<AuditPageBody>(getToken, `/api/v1/audit/events?${q.toString()}`));
      setError(null);
      setFieldErrors([]);
    } catch (err) {
      setPage(null);
      setFieldErrors(err instanceof ApiError ? err.details : []);
      setError(err instanceof ApiError ? err.message : 'The audit log could not be loaded.');
    }
  }, [getToken, filters, cursor]);
  useEffect(() => {
    void load();
  }, [load]);

  const verify = useCallback(async () => {
    setVerifying(true);
    try {
      setReport(await api<VerifyReport>(getToken, '/api/v1/audit/verify', { method: 'POST' }));
      setVerifyError(null);
    } catch (err) {
      setVerifyError(err instanceof ApiError ? err.message : 'The audit log could not be verified.');
    } finally {
      setVerifying(false);
    }
  }, [getToken]);
  useEffect(() => {
    void verify();
  }, [verify]);

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

  const download = async (format: 'jsonl' | 'csv') => {
    setDownloading(format);
    try {
      const q = auditQuery(filters);
      q.set('format', format);
      const { blob, filename } = await apiDownload(getToken, `/api/v1/audit/export?${q.toString()}`);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename ?? `tierline-audit.${format}`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The export failed. Please try again.');
    } finally {
      setDownloading(null);
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
        <button type="button" className="button button--secondary" onClick={() => void verify()} disabled={verifying}>
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
          <button type="button" className="button button--secondary" onClick={() => void download('jsonl')} disabled={downloading !== null}>
            Export JSONL (signed)
          </button>
          <button type="button" className="button button--secondary" onClick={() => void download('csv')} disabled={downloading !== null}>
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
