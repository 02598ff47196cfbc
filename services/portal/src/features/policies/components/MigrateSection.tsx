import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../../lib/api/client.js';
import type { PolicyMigration } from '../../../lib/api/types.js';
import { ErrorNotice } from '../../../components/ui.js';
import { useMigrateTickets } from '../api/policies.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

export function MigrateSection({ latest }: { latest: number }) {
  const migrate = useMigrateTickets();
  const idBase = useId();
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<PolicyMigration | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      setResult(await migrate.mutateAsync({ toVersion: latest, reason }));
      setError(null);
    } catch (err) {
      setError(errorText(err, 'The open tickets could not be moved.'));
    } finally {
      setBusy(false);
    }
  };
  const failures = result?.results.filter((r) => !r.ok) ?? [];
  return (
    <section className="card" aria-labelledby={`${idBase}-title`}>
      <h2 id={`${idBase}-title`}>Move open tickets to version {latest}</h2>
      <p>Open tickets keep the version they were opened under. Moving them keeps the time already on their clocks and is recorded on each ticket.</p>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor={`${idBase}-reason`}>Reason (kept with the migration record)</label>
          <input id={`${idBase}-reason`} type="text" value={reason} minLength={3} maxLength={1000} required onChange={(e) => setReason(e.target.value)} />
        </div>
        <div className="form__actions">
          <button type="submit" className="button button--secondary" disabled={busy || reason.trim().length < 3}>
            Move all open tickets on older versions
          </button>
        </div>
      </form>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {result && (
        <div className="notice notice--success" role="status">
          <p>
            {result.attempted === 0
              ? 'No open ticket was on an older version.'
              : `${result.succeeded} of ${result.attempted} ticket(s) moved to version ${result.toVersion}.${result.truncated ? ' More tickets matched: run it again for the rest.' : ''}`}
          </p>
          {failures.length > 0 && (
            <ul>
              {failures.map((f) => (
                <li key={f.ticketId}>
                  {f.ticketId}: {f.error}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
