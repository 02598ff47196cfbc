import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../../lib/api/client.js';
import { CATEGORIES, IMPACTS, URGENCIES, siteLabel } from '../../../lib/labels.js';
import { REPORT_DRAFT_KEY as DRAFT_KEY, useIdentity, useSession } from '../../../lib/session.js';
import { PageHeading } from '../../../components/PageHeading.js';
import type { CreateTicketRequest, Impact, Urgency } from '../../../lib/api/types.js';
import { useCreateTicket } from '../api/create-ticket.js';

type Field = keyof CreateTicketRequest;
type FieldErrors = Partial<Record<Field, string>>;

const FIELD_ORDER: Field[] = ['title', 'category', 'siteId', 'impact', 'urgency', 'patientCareAffected', 'description'];
const FIELD_NAMES: Record<Field, string> = {
  title: 'Short summary',
  category: 'Kind of problem',
  siteId: 'Site',
  impact: 'Who is affected',
  urgency: 'How urgent',
  patientCareAffected: 'Patient care',
  description: 'Details',
};

/**
 * The unsent report survives a sign-in round trip (session expired while typing) in this tab's
 * sessionStorage, which the browser clears when the tab closes; it is removed once sent.
 */

function loadDraft(): Partial<CreateTicketRequest> {
  try {
    const raw = window.sessionStorage.getItem(DRAFT_KEY);
    return raw ? (JSON.parse(raw) as Partial<CreateTicketRequest>) : {};
  } catch {
    return {};
  }
}

function validate(v: CreateTicketRequest): FieldErrors {
  const errors: FieldErrors = {};
  const title = v.title.trim();
  if (title.length < 3) errors.title = 'Enter a short summary of at least 3 characters.';
  else if (title.length > 200) errors.title = 'Keep the summary to 200 characters or fewer.';
  if (!v.category) errors.category = 'Choose the kind of problem.';
  if (!v.siteId.trim()) errors.siteId = 'Choose the site where the problem is.';
  if (v.description.length > 5000) errors.description = 'Keep the details to 5000 characters or fewer.';
  return errors;
}

/** Server field paths ("title", "body.siteId"…) onto the form's fields. */
function fieldOf(path: string): Field | undefined {
  const last = path.split('.').pop() ?? '';
  return (FIELD_ORDER as string[]).includes(last) ? (last as Field) : undefined;
}

export function ReportPage() {
  const identity = useIdentity();
  const { signIn: onSignIn } = useSession();
  const navigate = useNavigate();
  const createTicket = useCreateTicket();
  const [values, setValues] = useState<CreateTicketRequest>(() => {
    const draft = loadDraft();
    const initial: CreateTicketRequest = {
      title: '',
      description: '',
      category: '',
      siteId: identity.sites[0] ?? '',
      impact: 'one_user',
      urgency: 'medium',
      patientCareAffected: false,
      ...draft,
    };
    // A remembered site must still be one of this person's sites.
    if (identity.sites.length > 0 && !identity.sites.includes(initial.siteId)) initial.siteId = identity.sites[0]!;
    return initial;
  });
  const [sessionEnded, setSessionEnded] = useState(false);

  useEffect(() => {
    try {
      window.sessionStorage.setItem(DRAFT_KEY, JSON.stringify(values));
    } catch {
      // storage full or disabled: the draft is just not kept
    }
  }, [values]);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const idBase = useId();
  const idOf = (f: Field) => `${idBase}-${f}`;

  const set = <K extends Field>(field: K, value: CreateTicketRequest[K]) => {
    setValues((v) => ({ ...v, [field]: value }));
    if (fieldErrors[field]) setFieldErrors((e) => ({ ...e, [field]: undefined }));
  };

  const showErrors = (errors: FieldErrors, message: string | null) => {
    setFieldErrors(errors);
    setFormError(message);
    // Let the summary render, then move focus to it so the problem is announced.
    requestAnimationFrame(() => summaryRef.current?.focus());
  };

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (submitting) return;
    const errors = validate(values);
    if (Object.keys(errors).length > 0) {
      showErrors(errors, 'Please correct the highlighted fields.');
      return;
    }
    setSubmitting(true);
    try {
      const body: CreateTicketRequest = { ...values, title: values.title.trim(), description: values.description.trim(), siteId: values.siteId.trim() };
      const ticket = await createTicket.mutateAsync(body);
      window.sessionStorage.removeItem(DRAFT_KEY);
      void navigate(`/tickets/${encodeURIComponent(ticket.id)}`, { state: { created: true } });
    } catch (err) {
      if (err instanceof ApiError) {
        setSessionEnded(err.status === 401);
        const next: FieldErrors = {};
        for (const d of err.details) {
          const f = fieldOf(d.path);
          if (f && !next[f]) next[f] = d.message;
        }
        showErrors(next, err.message);
      } else {
        showErrors({}, 'Something went wrong while sending your report. Please try again.');
      }
      setSubmitting(false);
    }
  };

  const listed = FIELD_ORDER.filter((f) => fieldErrors[f]);
  const hasSites = identity.sites.length > 0;

  return (
    <>
      <PageHeading>Report a problem</PageHeading>
      <p className="lead">Tell IT what is wrong. Fields marked “required” must be filled in.</p>

      {(formError || listed.length > 0) && (
        <div className="error-summary" role="alert" tabIndex={-1} ref={summaryRef} aria-labelledby={`${idBase}-summary-title`}>
          <h2 id={`${idBase}-summary-title`}>Your report was not sent</h2>
          {formError && <p>{formError}</p>}
          {sessionEnded && (
            <p>
              <button type="button" className="button button--primary" onClick={onSignIn}>
                Sign in again
              </button>{' '}
              Your report is kept and will be here when you come back.
            </p>
          )}
          {listed.length > 0 && (
            <ul>
              {listed.map((f) => (
                <li key={f}>
                  <a
                    href={`#${idOf(f)}`}
                    onClick={(ev) => {
                      ev.preventDefault();
                      document.getElementById(idOf(f))?.focus();
                    }}
                  >
                    {FIELD_NAMES[f]}: {fieldErrors[f]}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      <form className="card form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={submitting}>
        <FormField id={idOf('title')} label="Short summary" hint="For example: “Label printer in room 4 prints blank pages”." error={fieldErrors.title} required>
          {(a11y) => (
            <input {...a11y} type="text" name="title" autoComplete="off" maxLength={200} value={values.title} onChange={(e) => set('title', e.target.value)} />
          )}
        </FormField>

        <FormField id={idOf('category')} label="Kind of problem" error={fieldErrors.category} required>
          {(a11y) => (
            <select {...a11y} name="category" value={values.category} onChange={(e) => set('category', e.target.value)}>
              <option value="" disabled>
                Choose one…
              </option>
              {CATEGORIES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          )}
        </FormField>

        <FormField
          id={idOf('siteId')}
          label="Site"
          hint={hasSites ? undefined : 'You are not assigned to a site. Enter the site name, for example “north”.'}
          error={fieldErrors.siteId}
          required
        >
          {(a11y) =>
            hasSites ? (
              <select {...a11y} name="siteId" value={values.siteId} onChange={(e) => set('siteId', e.target.value)}>
                {identity.sites.map((s) => (
                  <option key={s} value={s}>
                    {siteLabel(s)}
                  </option>
                ))}
              </select>
            ) : (
              <input {...a11y} type="text" name="siteId" autoComplete="off" value={values.siteId} onChange={(e) => set('siteId', e.target.value)} />
            )
          }
        </FormField>

        <RadioGroup
          id={idOf('impact')}
          legend="Who is affected?"
          name="impact"
          options={IMPACTS}
          value={values.impact}
          error={fieldErrors.impact}
          onChange={(v) => set('impact', v as Impact)}
        />

        <RadioGroup
          id={idOf('urgency')}
          legend="How urgent is it?"
          name="urgency"
          options={URGENCIES}
          value={values.urgency}
          error={fieldErrors.urgency}
          onChange={(v) => set('urgency', v as Urgency)}
        />

        <div className={`field field--checkbox${fieldErrors.patientCareAffected ? ' field--error' : ''}`}>
          <input
            id={idOf('patientCareAffected')}
            type="checkbox"
            name="patientCareAffected"
            checked={values.patientCareAffected}
            onChange={(e) => set('patientCareAffected', e.target.checked)}
            aria-describedby={`${idOf('patientCareAffected')}-hint`}
          />
          <label htmlFor={idOf('patientCareAffected')}>Patient care is affected</label>
          <p className="hint" id={`${idOf('patientCareAffected')}-hint`}>
            Tick this if patients are waiting, treatment is delayed, or clinical work cannot go on.
          </p>
          {fieldErrors.patientCareAffected && <p className="field-error">{fieldErrors.patientCareAffected}</p>}
        </div>

        <FormField
          id={idOf('description')}
          label="Details"
          hint="What were you doing, what happened, any error message, and which device or room. Do not include patient names or record numbers."
          error={fieldErrors.description}
        >
          {(a11y) => <textarea {...a11y} name="description" rows={6} maxLength={5000} value={values.description} onChange={(e) => set('description', e.target.value)} />}
        </FormField>

        <div className="form__actions">
          <button type="submit" className="button button--primary" disabled={submitting}>
            {submitting ? 'Sending…' : 'Send report'}
          </button>
        </div>
        <p className="hint">If patients are at risk right now, also phone the IT help desk.</p>
      </form>
    </>
  );
}

interface ControlA11y {
  id: string;
  required?: boolean;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

function FormField({
  id,
  label,
  hint,
  error,
  required,
  children,
}: {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean;
  children: (a11y: ControlA11y) => ReactNode;
}) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  const a11y: ControlA11y = { id, ...(required ? { required: true } : {}), ...(error ? { 'aria-invalid': true } : {}), ...(describedBy ? { 'aria-describedby': describedBy } : {}) };
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <label htmlFor={id}>
        {label} {required && <span className="required">(required)</span>}
      </label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
      {children(a11y)}
    </div>
  );
}

function RadioGroup({
  id,
  legend,
  name,
  options,
  value,
  error,
  onChange,
}: {
  id: string;
  legend: string;
  name: string;
  options: { value: string; label: string }[];
  value: string;
  error?: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <fieldset className={`field${error ? ' field--error' : ''}`} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>
        {legend} <span className="required">(required)</span>
      </legend>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
      <div className="radios">
        {options.map((o, i) => (
          <div className="radio" key={o.value}>
            <input
              // The first radio carries the group's id so error links can focus the group.
              id={i === 0 ? id : `${id}-${o.value}`}
              type="radio"
              name={name}
              value={o.value}
              checked={value === o.value}
              onChange={() => onChange(o.value)}
            />
            <label htmlFor={i === 0 ? id : `${id}-${o.value}`}>{o.label}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}
