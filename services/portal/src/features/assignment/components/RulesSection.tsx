import { useEffect, useId, useState, type ReactElement } from 'react';
import { useFieldArray, useForm, useWatch } from 'react-hook-form';
import { ApiError } from '../../../lib/api/client.js';
import type { Team } from '../../../lib/api/types.js';
import { useAssignmentRules, useSaveAssignmentRules } from '../api/assignment.js';
import { ErrorNotice } from '../../../components/ui.js';
import { CATEGORIES } from '../../../lib/labels.js';
import { messagesAt, setServerErrors, type FieldIssue } from '../../../lib/forms.js';
import { ruleFieldOf, rulesResolver, toDrafts, type RuleDraft, type RulesForm } from '../logic/assignment.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);
type RuleField = keyof RuleDraft;

/**
 * The ordered routing rules as one form, checked as the PUT body (AssignmentRulesInputSchema)
 * before it is sent; each issue, the schema's or the server's, next to its rule's field.
 */
export function RulesSection({ teams, canEdit }: { teams: Team[]; canEdit: boolean }) {
  const idBase = useId();
  const id = (k: string) => `${idBase}-${k}`;
  const [loaded, setLoaded] = useState(false);
  // Server issues no field shows (e.g. the list as a whole).
  const [unplaced, setUnplaced] = useState<FieldIssue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const {
    control,
    register,
    reset,
    handleSubmit,
    setError: setFieldError,
    formState: { errors, isSubmitting },
  } = useForm({ resolver: rulesResolver, defaultValues: { rules: [] } satisfies RulesForm });
  const { fields, append, move, remove } = useFieldArray({ control, name: 'rules' });
  const values = useWatch({ control, name: 'rules' });

  const rules = useAssignmentRules();
  const saveRules = useSaveAssignmentRules();
  // The form edits its own copy of the rules, taken from the server each time they load or are saved.
  useEffect(() => {
    if (!rules.data) return;
    reset({ rules: toDrafts(rules.data) });
    setLoaded(true);
  }, [rules.data, reset]);
  useEffect(() => {
    if (rules.error) setError(errorText(rules.error, 'The assignment rules could not be loaded.'));
  }, [rules.error]);

  const discard = () => {
    setUnplaced([]);
    setError(null);
    void rules.refetch().then((r) => r.data && reset({ rules: toDrafts(r.data) }));
  };
  const add = () => append({ category: '', siteId: '', teamId: teams.find((t) => t.tier === 1)?.id ?? teams[0]?.id ?? '', requiredSkills: '', escalationTeamId: '' });

  const save = handleSubmit(
    async (body) => {
      setNotice(null);
      setUnplaced([]);
      try {
        const saved = await saveRules.mutateAsync(body.rules);
        setError(null);
        setNotice(`Saved ${saved.length} rule(s). New tickets are routed by them from now on.`);
      } catch (err) {
        if (err instanceof ApiError) setUnplaced(setServerErrors(setFieldError, err.details, (path) => ruleFieldOf(path, fields.length)));
        setError(errorText(err, 'The rules could not be saved.'));
      }
    },
    () => {
      setNotice(null);
      setError('The rules were not saved: see the fields below.');
    },
  );

  const tier2 = teams.filter((t) => t.tier === 2);
  const listed = [...unplaced, ...(errors.rules?.root?.message ? [{ path: 'rules', message: errors.rules.root.message }] : [])];

  return (
    <section className="card" aria-labelledby={id('title')}>
      <h2 id={id('title')}>Routing rules</h2>
      <p className="hint">
        The most specific rule matching a new ticket wins (category and site, then one of them, then neither); equally specific rules go by their order here. Empty means any.
      </p>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {listed.length > 0 && (
        <div className="error-summary">
          <ul>
            {listed.map((i, n) => (
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
      {loaded && (
        <form className="form" noValidate onSubmit={(e) => void save(e)} aria-labelledby={id('title')} data-testid="assignment-rules">
          {fields.length === 0 && <p className="empty">No rules: every new ticket goes to the default tier-1 team.</p>}
          <ol className="assignment-rules">
            {fields.map((item, i) => {
              const r = values[i] ?? item;
              const f = (k: string) => id(`${item.id}-${k}`);
              const whole = errors.rules?.[i]?.message;
              const field = (name: RuleField, label: string, control: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactElement, hint?: string) => {
                const msgs = messagesAt(errors, `rules.${i}.${name}`);
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
                <li key={item.id}>
                  <fieldset className="assignment-rule">
                    <legend>Rule {i + 1}</legend>
                    {whole && <p className="field-error">{whole}</p>}
                    <div className="filters__grid">
                      {field('category', 'Category', (p) => (
                        <select {...p} disabled={!canEdit} {...register(`rules.${i}.category`)}>
                          <option value="">Any category</option>
                          {CATEGORIES.map((c) => (
                            <option key={c.value} value={c.value}>
                              {c.label}
                            </option>
                          ))}
                          {r.category && !CATEGORIES.some((c) => c.value === r.category) && <option value={r.category}>{r.category}</option>}
                        </select>
                      ))}
                      {field('siteId', 'Site', (p) => <input {...p} type="text" readOnly={!canEdit} placeholder="any" {...register(`rules.${i}.siteId`)} />)}
                      {field('teamId', 'Team', (p) => (
                        <select {...p} disabled={!canEdit} {...register(`rules.${i}.teamId`)}>
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
                        (p) => <input {...p} type="text" readOnly={!canEdit} {...register(`rules.${i}.requiredSkills`)} />,
                        'Comma-separated, e.g. ehr, network',
                      )}
                      {field('escalationTeamId', 'Escalation team', (p) => (
                        <select {...p} disabled={!canEdit} {...register(`rules.${i}.escalationTeamId`)}>
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
                        <button type="button" className="button button--secondary" disabled={i === 0} onClick={() => move(i, i - 1)}>
                          Move rule {i + 1} up
                        </button>
                        <button type="button" className="button button--secondary" disabled={i === fields.length - 1} onClick={() => move(i, i + 1)}>
                          Move rule {i + 1} down
                        </button>
                        <button type="button" className="button button--secondary" onClick={() => remove(i)}>
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
              <button type="submit" className="button button--primary" disabled={isSubmitting}>
                Save rules
              </button>
              <button type="button" className="button button--secondary" disabled={isSubmitting} onClick={discard}>
                Discard changes
              </button>
            </div>
          )}
        </form>
      )}
    </section>
  );
}
