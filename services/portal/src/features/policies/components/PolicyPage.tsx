import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { ApiError } from '../../../lib/api/client.js';
import type { PolicyDraftResponse, PolicyIssue } from '../../../lib/api/types.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { issuesFor, locatePath, p1RuleIndex } from '../logic/policy.js';
import { mergeIssues, parsePolicyText, policyResolver, schemaIssues, type PolicyFormValues } from '../logic/policy-form.js';
import { PreviewSection } from './PreviewSection.js';
import { WhatIfSection } from './WhatIfSection.js';
import { VersionsSection } from './VersionsSection.js';
import { MigrateSection } from './MigrateSection.js';
import { P1TargetsFields } from './P1TargetsFields.js';
import { DuplicatesFields } from './DuplicatesFields.js';
import { useIdentity } from '../../../lib/session.js';
import { PageHeading } from '../../../components/PageHeading.js';
import { usePolicyDraft, usePolicyVersions, usePublishDraft, useSaveDraft, useValidatePolicy } from '../api/policies.js';

const pretty = (p: unknown) => JSON.stringify(p, null, 2);
const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

/**
 * The IT lead's policy editor: the one draft as JSON (with the P1 targets as plain fields),
 * checked as it is typed by the API's policy schema (react-hook-form, `logic/policy-form.ts`)
 * and by the server's validate endpoint (its semantic checks too), a preview of how a P1 opened
 * now would escalate, publish, the published versions with a diff, and moving open tickets onto a
 * newer version.
 */
export function PolicyPage() {
  const identity = useIdentity();
  const canEdit = identity.roles.includes('it_lead');
  const [loaded, setLoaded] = useState<PolicyDraftResponse | null>(null);
  const { register, control, reset, setValue, handleSubmit, formState } = useForm({
    resolver: policyResolver,
    mode: 'onChange',
    defaultValues: { json: '' } satisfies PolicyFormValues,
  });
  const { ref: jsonRef, ...jsonField } = register('json');
  const text = useWatch({ control, name: 'json' });
  // The server's issues for the text it last checked; the schema's own show at once (merged below).
  const [serverIssues, setIssues] = useState<PolicyIssue[]>([]);
  const [checking, setChecking] = useState(false);
  const [actionError, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const idBase = useId();
  const id = (k: string) => `${idBase}-${k}`;
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const draft = usePolicyDraft();
  const versionsQuery = usePolicyVersions();
  const versions = versionsQuery.data ?? null;
  const validate = useValidatePolicy();
  const saveDraft = useSaveDraft();
  const publishDraft = usePublishDraft();
  const error =
    actionError ??
    (draft.error ? errorText(draft.error, 'The policy draft could not be loaded.') : versionsQuery.error ? errorText(versionsQuery.error, 'The policy versions could not be loaded.') : null);

  // The editor works on its own text, taken from the server each time the draft is (re)loaded or saved.
  useEffect(() => {
    if (!draft.data) return;
    setLoaded(draft.data);
    reset({ json: pretty(draft.data.draft.policy) });
    setIssues(draft.data.issues);
  }, [draft.data, reset]);

  const parsed = useMemo(() => parsePolicyText(text), [text]);
  const issues = mergeIssues(serverIssues, schemaIssues(formState.errors));
  // What is wrong with the text as a whole: not JSON (known at once, from the same parse the schema
  // runs), or the schema's issue on the policy itself (e.g. an unknown top-level key).
  const jsonError = parsed.ok ? formState.errors.json?.message : parsed.message;
  const dirty = loaded !== null && text !== pretty(loaded.draft.policy);

  // The server checks what is typed, shortly after typing stops: the same rules as publishing.
  useEffect(() => {
    if (!loaded || !parsed.ok) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setChecking(true);
      validate(parsed.policy, controller.signal)
        .then((r) => setIssues(r.issues))
        .catch((err: unknown) => {
          if (!(err instanceof DOMException)) setError(errorText(err, 'The draft could not be checked.'));
        })
        .finally(() => setChecking(false));
    }, 400);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [parsed, loaded, validate]);

  const ruleIndex = parsed.ok ? p1RuleIndex(parsed.policy) : -1;
  const p1 = parsed.ok && ruleIndex >= 0 ? parsed.policy.rules?.[ruleIndex] : undefined;
  const fieldPath = (field: string) => `rules.${ruleIndex}.${field}`;

  /** Changes one field of the P1 rule in the JSON text (the text stays the one source). */
  const setP1Field = (field: 'responseTargetMinutes' | 'resolutionTargetMinutes', raw: string) => {
    if (!parsed.ok || ruleIndex < 0) return;
    const policy = structuredClone(parsed.policy);
    const rule = policy.rules![ruleIndex]!;
    const n = Number(raw);
    // Kept as typed when it is not a number, so the schema names the problem instead of us hiding it.
    (rule as Record<string, unknown>)[field] = raw.trim() !== '' && Number.isFinite(n) ? n : raw;
    setValue('json', pretty(policy), { shouldValidate: true, shouldDirty: true });
  };

  /** Sets the likely-duplicates setting in the JSON text, as the P1 fields do (decision 42). */
  const setDuplicates = (next: { windowMinutes: unknown; autoLink: unknown }) => {
    if (!parsed.ok) return;
    setValue('json', pretty({ ...parsed.policy, duplicates: next }), { shouldValidate: true, shouldDirty: true });
  };

  /** Saves what the schema made of the text (refused here, with the problems listed, when it does not pass). */
  const save = handleSubmit(async ({ json: policy }) => {
    if (!loaded) return;
    setBusy(true);
    setNotice(null);
    try {
      const d = await saveDraft.mutateAsync({ policy, lockVersion: loaded.draft.lockVersion });
      setError(null);
      setNotice(d.valid ? 'Draft saved. It can be published.' : `Draft saved, but it cannot be published until the ${d.issues.length === 1 ? 'problem below is' : `${d.issues.length} problems below are`} fixed.`);
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) setIssues(err.details);
      setError(errorText(err, 'The draft could not be saved.'));
    } finally {
      setBusy(false);
    }
  }, () => {
    setNotice(null);
    setError('The draft was not saved: fix the problems listed above first.');
  });

  const [notes, setNotes] = useState('');
  const publish = async (e: FormEvent) => {
    e.preventDefault();
    if (!loaded) return;
    setBusy(true);
    setNotice(null);
    try {
      const v = await publishDraft.mutateAsync({ notes, lockVersion: loaded.draft.lockVersion });
      setNotes('');
      setError(null);
      setNotice(`Version ${v.version} is published. Tickets opened from now on follow it; open tickets stay on their version unless you move them below.`);
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) setIssues(err.details);
      setError(errorText(err, 'The draft could not be published.'));
    } finally {
      setBusy(false);
    }
  };

  const discard = () => {
    if (!loaded) return;
    reset({ json: pretty(loaded.draft.policy) });
    setIssues(loaded.issues);
    setError(null);
    void draft.refetch();
  };

  const jumpTo = (path: string) => {
    const el = textareaRef.current;
    if (!el) return;
    const at = locatePath(text, path);
    el.focus();
    el.setSelectionRange(at, at);
  };

  const fieldIds: Record<string, string> = p1
    ? { [fieldPath('responseTargetMinutes')]: id('p1-response'), [fieldPath('resolutionTargetMinutes')]: id('p1-resolution') }
    : {};
  const fieldIssues = (field: string) => (p1 ? issuesFor(issues, fieldPath(field)) : []);
  const responseIssues = fieldIssues('responseTargetMinutes');
  const resolutionIssues = fieldIssues('resolutionTargetMinutes');
  const publishable = !dirty && parsed.ok && issues.length === 0 && !checking;

  return (
    <>
      <PageHeading>Escalation policy</PageHeading>
      <p className="lead">
        Edit the draft, check it, preview it and publish it as the next version. Published versions never change.
        {!canEdit && ' You can read the policy; only IT leads can change it.'}
      </p>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {notice && (
        <div className="notice notice--success" role="status">
          <p>{notice}</p>
        </div>
      )}
      {!loaded && !error && (
        <p className="loading" role="status">
          Loading the draft…
        </p>
      )}
      {loaded && (
        <>
          <section className="card" aria-labelledby={id('draft-title')}>
            <h2 id={id('draft-title')}>Draft</h2>
            <p className="hint">
              Based on version {loaded.draft.basedOnVersion ?? '—'}
              {loaded.draft.updatedAt ? (
                <>
                  , last saved <When iso={loaded.draft.updatedAt} />
                </>
              ) : (
                ', not saved yet'
              )}
              .{dirty && ' You have unsaved changes.'}
            </p>

            {issues.length > 0 && (
              <div className="error-summary" data-testid="policy-issues" aria-labelledby={id('issues-title')}>
                <h3 id={id('issues-title')}>
                  {issues.length === 1 ? 'One problem stops' : `${issues.length} problems stop`} this draft from being published
                </h3>
                <ul>
                  {issues.map((issue, i) => (
                    <li key={`${issue.path}-${i}`}>
                      {fieldIds[issue.path] ? (
                        <a href={`#${fieldIds[issue.path]}`}>
                          <code>{issue.path}</code>: {issue.message}
                        </a>
                      ) : (
                        <a
                          href={`#${id('json')}`}
                          onClick={(e) => {
                            e.preventDefault();
                            jumpTo(issue.path);
                          }}
                        >
                          <code>{issue.path}</code>: {issue.message}
                        </a>
                      )}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <p className="visually-hidden" role="status" aria-live="polite">
              {checking ? 'Checking the draft…' : parsed.ok ? (issues.length === 0 ? 'The draft is valid.' : `${issues.length} problem(s) found.`) : ''}
            </p>
            {issues.length === 0 && parsed.ok && !checking && (
              <p className="valid-mark" data-testid="policy-valid">
                <span aria-hidden="true">✓ </span>No problems found: this draft can be published{dirty ? ' once saved' : ''}.
              </p>
            )}

            {p1 && (
              <P1TargetsFields
                rule={p1}
                ids={{ responseTargetMinutes: id('p1-response'), resolutionTargetMinutes: id('p1-resolution') }}
                issues={{ responseTargetMinutes: responseIssues, resolutionTargetMinutes: resolutionIssues }}
                disabled={!canEdit}
                onChange={setP1Field}
              />
            )}

            {parsed.ok && (
              <DuplicatesFields value={parsed.policy.duplicates} idBase={idBase} issues={issues} disabled={!canEdit} onChange={setDuplicates} />
            )}

            <div className={`field${jsonError ? ' field--error' : ''}`}>
              <label htmlFor={id('json')}>The whole policy (JSON)</label>
              <p className="hint" id={id('json-hint')}>
                Calendars, the priority matrix, every rule and its escalation levels. Problems are listed above by their path, e.g. <code>rules.0.levels.1.after.minutes</code>.
              </p>
              <textarea
                id={id('json')}
                {...jsonField}
                ref={(el) => {
                  jsonRef(el);
                  textareaRef.current = el;
                }}
                className="policy-json"
                rows={24}
                spellCheck={false}
                readOnly={!canEdit}
                aria-invalid={jsonError !== undefined}
                aria-describedby={`${id('json-hint')}${jsonError ? ` ${id('json-error')}` : ''}`}
              />
              {jsonError && (
                <p className="field-error" id={id('json-error')}>
                  {jsonError}
                </p>
              )}
            </div>
            {canEdit && (
              <div className="form__actions">
                <button type="button" className="button button--primary" onClick={() => void save()} disabled={busy || !parsed.ok || !dirty}>
                  Save draft
                </button>
                <button type="button" className="button button--secondary" onClick={discard} disabled={busy || !dirty}>
                  Discard changes
                </button>
              </div>
            )}
          </section>

          <PreviewSection policy={parsed.ok ? parsed.policy : null} headingId={id('preview-title')} />
          {canEdit && <WhatIfSection policy={parsed.ok ? parsed.policy : null} headingId={id('what-if-title')} />}

          {canEdit && (
            <section className="card" aria-labelledby={id('publish-title')}>
              <h2 id={id('publish-title')}>Publish</h2>
              <form onSubmit={(e) => void publish(e)} className="form">
                <div className="field">
                  <label htmlFor={id('notes')}>What changed and why</label>
                  <textarea id={id('notes')} rows={2} value={notes} maxLength={2000} onChange={(e) => setNotes(e.target.value)} aria-describedby={id('publish-hint')} />
                </div>
                <p className="hint" id={id('publish-hint')}>
                  {dirty ? 'Save the draft first: publishing takes the saved draft.' : issues.length > 0 ? 'Fix the problems listed above first.' : `Publishes the saved draft as version ${(versions?.latest ?? 0) + 1}.`}
                </p>
                <div className="form__actions">
                  <button type="submit" className="button button--primary" disabled={busy || !publishable}>
                    Publish version {(versions?.latest ?? 0) + 1}
                  </button>
                </div>
              </form>
            </section>
          )}
        </>
      )}
      {versions && <VersionsSection versions={versions} identity={identity} hasDraft={loaded !== null && loaded.draft.lockVersion > 0} />}
      {versions?.latest && canEdit && <MigrateSection latest={versions.latest} />}
    </>
  );
}
