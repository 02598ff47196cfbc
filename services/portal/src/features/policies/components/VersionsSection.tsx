import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../../lib/api/client.js';
import type { Identity } from '../../../lib/auth.js';
import type { PolicyChange, PolicyVersionList } from '../../../lib/api/types.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { usePolicyDiff } from '../api/policies.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

function showValue(v: unknown): string {
  if (v === undefined) return '—';
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

export function VersionsSection({ versions, identity, hasDraft }: { versions: PolicyVersionList; identity: Identity; hasDraft: boolean }) {
  const policyDiff = usePolicyDiff();
  const idBase = useId();
  const latest = versions.latest ?? 1;
  const [from, setFrom] = useState(String(Math.max(1, latest - 1)));
  const [to, setTo] = useState(String(latest));
  const [diff, setDiff] = useState<{ from: string; to: string; changes: PolicyChange[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setFrom(String(Math.max(1, latest - 1)));
    setTo(String(latest));
  }, [latest]);

  const compare = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const r = await policyDiff.mutateAsync({ from, to });
      setDiff({ from, to, changes: r.changes });
      setError(null);
    } catch (err) {
      setError(errorText(err, 'The versions could not be compared.'));
    }
  };
  const options = [...versions.items.map((v) => ({ value: String(v.version), label: `Version ${v.version}` })), ...(hasDraft ? [{ value: 'draft', label: 'Saved draft' }] : [])];
  const label = (ref: string) => (ref === 'draft' ? 'the saved draft' : `version ${ref}`);

  return (
    <section className="card" aria-labelledby={`${idBase}-title`}>
      <h2 id={`${idBase}-title`}>Published versions</h2>
      {versions.items.length === 0 ? (
        <p className="empty">Nothing has been published yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="versions" data-testid="policy-versions">
            <caption className="visually-hidden">Published policy versions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Name</th>
                <th scope="col">Published</th>
                <th scope="col">By</th>
                <th scope="col">Notes</th>
              </tr>
            </thead>
            <tbody>
              {versions.items.map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <th scope="row">
                    {v.version}
                    {v.version === versions.latest && <span className="tag tag--new">current</span>}
                  </th>
                  <td>{v.name ?? '—'}</td>
                  <td>
                    <When iso={v.publishedAt} />
                  </td>
                  <td>{v.publishedBy === identity.id ? 'you' : v.publishedBy}</td>
                  <td>{v.notes || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {options.length > 1 && (
        <form className="filters" onSubmit={(e) => void compare(e)} aria-label="Compare versions">
          <div className="filters__grid">
            <div className="field">
              <label htmlFor={`${idBase}-from`}>Compare</label>
              <select id={`${idBase}-from`} value={from} onChange={(e) => setFrom(e.target.value)}>
                {options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${idBase}-to`}>with</label>
              <select id={`${idBase}-to`} value={to} onChange={(e) => setTo(e.target.value)}>
                {options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="form__actions">
            <button type="submit" className="button button--secondary">
              Show differences
            </button>
          </div>
        </form>
      )}
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {diff && (
        <div data-testid="policy-diff">
          <h3>
            From {label(diff.from)} to {label(diff.to)}
          </h3>
          {diff.changes.length === 0 ? (
            <p className="empty">No differences.</p>
          ) : (
            <div className="table-wrap">
              <table className="diff">
                <caption className="visually-hidden">Changed fields</caption>
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">Change</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                  </tr>
                </thead>
                <tbody>
                  {diff.changes.map((c) => (
                    <tr key={`${c.path}-${c.kind}`}>
                      <th scope="row">
                        <code>{c.path}</code>
                      </th>
                      <td>{c.kind}</td>
                      <td>
                        <code>{showValue(c.from)}</code>
                      </td>
                      <td>
                        <code>{showValue(c.to)}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
