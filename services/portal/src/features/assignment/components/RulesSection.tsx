import { useEffect, useId, useState, type FormEvent, type ReactElement } from 'react';
import { ApiError } from '../../../lib/api/client.js';
import type { Team } from '../../../lib/api/types.js';
import { useAssignmentRules, useSaveAssignmentRules } from '../api/assignment.js';
import { ErrorNotice } from '../../../components/ui.js';
import { CATEGORIES } from '../../../lib/labels.js';
import { moveRule, newRuleKey, otherIssues, ruleIssues, toDrafts, toRulesBody, type FieldIssue, type RuleDraft } from '../logic/assignment.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);
const detailsOf = (err: unknown): FieldIssue[] => (err instanceof ApiError ? err.details : []);

export function RulesSection({ teams, canEdit }: { teams: Team[]; canEdit: boolean }) {
  const idBase = useId();
  const id = (k: string) => `${idBase}-${k}`;
  const [drafts, setDrafts] = useState<RuleDraft[] | null>(null);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const rules = useAssignmentRules();
  const saveRules = useSaveAssignmentRules();
  // The form edits its own copy of the rules, taken from the server each time they load or are saved.
  useEffect(() => {
    if (rules.data) setDrafts(toDrafts(rules.data));
  }, [rules.data]);
  useEffect(() => {
    if (rules.error) setError(errorText(rules.error, 'The assignment rules could not be loaded.'));
  }, [rules.error]);

  const discard = () => {
    setIssues([]);
    setError(null);
    void rules.refetch().then((r) => r.data && setDrafts(toDrafts(r.data)));
  };
  const update = (i: number, patch: Partial<RuleDraft>) => setDrafts((d) => d && d.map((r, n) => (n === i ? { ...r, ...patch } : r)));
  const add = () =>
    setDrafts((d) => [...(d ?? []), { key: newRuleKey(), category: '', siteId: '', teamId: teams.find((t) => t.tier === 1)?.id ?? teams[0]?.id ?? '', skills: '', escalationTeamId: '' }]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!drafts) return;
    setBusy(true);
    setNotice(null);
    try {
      const saved = await saveRules.mutateAsync(toRulesBody(drafts).rules);
      setIssues([]);
      setError(null);
      setNotice(`Saved ${saved.length} rule(s). New tickets are routed by them from now on.`);
    } catch (err) {
      setIssues(detailsOf(err));
      setError(errorText(err, 'The rules could not be saved.'));
    } finally {
      setBusy(false);
    }
  };

  const tier2 = teams.filter((t) => t.tier === 2);
  const unplaced = drafts ? otherIssues(issues, drafts.length) : issues;

  return (
    <section className="card" aria-labelledby={id('title')}>
      <h2 id={id('title')}>Routing rules</h2>
      <p className="hint">
        The most specific rule matching a new ticket wins (category and site, then one of them, then neither); equally specific rules go by their order here. Empty means any.
      </p>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {unplaced.length > 0 && (
        <div className="error-summary">
          <ul>
            {unplaced.map((i, n) => (
              <li key={`${i.path}-${n}`}>
                <code>{i.path}</code>: {i.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {notice && (
        <div className="notice notice--success" role="status">
          <p>{notice}</p>
        </div>
      )}
      {drafts && (
        <form className="form" onSubmit={(e) => void save(e)} aria-labelledby={id('title')} data-testid="assignment-rules">
          {drafts.length === 0 && <p className="empty">No rules: every new ticket goes to the default tier-1 team.</p>}
          <ol className="assignment-rules">
            {drafts.map((r, i) => {
              const f = (k: string) => id(`${r.key}-${k}`);
              const whole = ruleIssues(issues, i, null);
              const field = (name: string, label: string, control: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactElement, hint?: string) => {
                const msgs = ruleIssues(issues, i, name);
                const describedBy = [hint ? f(`${name}-hint`) : '', msgs.length ? f(`${name}-error`) : ''].filter(Boolean).join(' ') || undefined;
                return (
                  <div className={`field${msgs.length ? ' field--error' : ''}`}>
                    <label htmlFor={f(name)}>{label}</label>
                    {hint && (
                      <p className="hint" id={f(`${name}-hint`)}>
                        {hint}
                      </p>
                    )}
                    {control({ id: f(name), 'aria-invalid': msgs.length > 0, ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
                    {msgs.length > 0 && (
                      <p className="field-error" id={f(`${name}-error`)}>
                        {msgs.join('; ')}
                      </p>
                    )}
                  </div>
                );
              };
              return (
                <li key={r.key}>
                  <fieldset className="assignment-rule">
                    <legend>Rule {i + 1}</legend>
                    {whole.length > 0 && <p className="field-error">{whole.join('; ')}</p>}
                    <div className="filters__grid">
                      {field('category', 'Category', (p) => (
                        <select {...p} value={r.category} disabled={!canEdit} onChange={(e) => update(i, { category: e.target.value })}>
                          <option value="">Any category</option>
                          {CATEGORIES.map((c) => (
                            <option key={c.value} value={c.value}>
                              {c.label}
                            </option>
                          ))}
                          {r.category && !CATEGORIES.some((c) => c.value === r.category) && <option value={r.category}>{r.category}</option>}
                        </select>
                      ))}
                      {field('siteId', 'Site', (p) => <input {...p} type="text" value={r.siteId} readOnly={!canEdit} placeholder="any" onChange={(e) => update(i, { siteId: e.target.value })} />)}
                      {field('teamId', 'Team', (p) => (
                        <select {...p} value={r.teamId} disabled={!canEdit} onChange={(e) => update(i, { teamId: e.target.value })}>
                          {teams.map((t) => (
                            <option key={t.id} value={t.id}>
                              {t.name} ({t.id})
                            </option>
                          ))}
                          {!teams.some((t) => t.id === r.teamId) && <option value={r.teamId}>{r.teamId}</option>}
                        </select>
                      ))}
                      {field(
                        'requiredSkills',
                        'Required skills',
                        (p) => <input {...p} type="text" value={r.skills} readOnly={!canEdit} onChange={(e) => update(i, { skills: e.target.value })} />,
                        'Comma-separated, e.g. ehr, network',
                      )}
                      {field('escalationTeamId', 'Escalation team', (p) => (
                        <select {...p} value={r.escalationTeamId} disabled={!canEdit} onChange={(e) => update(i, { escalationTeamId: e.target.value })}>
                          <option value="">Default tier-2 team</option>
                          {tier2.map((t) => (
                            <option key={t.id} value={t.id}>
                              {t.name} ({t.id})
                            </option>
                          ))}
                          {r.escalationTeamId && !tier2.some((t) => t.id === r.escalationTeamId) && <option value={r.escalationTeamId}>{r.escalationTeamId}</option>}
                        </select>
                      ))}
                    </div>
                    {canEdit && (
                      <div className="form__actions">
                        <button type="button" className="button button--secondary" disabled={i === 0} onClick={() => setDrafts(moveRule(drafts, i, -1))}>
                          Move rule {i + 1} up
                        </button>
                        <button type="button" className="button button--secondary" disabled={i === drafts.length - 1} onClick={() => setDrafts(moveRule(drafts, i, 1))}>
                          Move rule {i + 1} down
                        </button>
                        <button type="button" className="button button--secondary" onClick={() => setDrafts(drafts.filter((_, n) => n !== i))}>
                          Remove rule {i + 1}
                        </button>
                      </div>
                    )}
                  </fieldset>
                </li>
              );
            })}
          </ol>
          {canEdit && (
            <div className="form__actions">
              <button type="button" className="button button--secondary" onClick={add}>
                Add a rule
              </button>
              <button type="submit" className="button button--primary" disabled={busy}>
                Save rules
              </button>
              <button type="button" className="button button--secondary" disabled={busy} onClick={discard}>
                Discard changes
              </button>
            </div>
          )}
        </form>
      )}
    </section>
  );
}
