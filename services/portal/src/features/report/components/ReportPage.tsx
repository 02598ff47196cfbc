import { useEffect, useId, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { ApiError } from '../../../lib/api/client.js';
import { setServerErrors } from '../../../lib/forms.js';
import { CATEGORIES, IMPACTS, URGENCIES, siteLabel } from '../../../lib/labels.js';
import { REPORT_DRAFT_KEY as DRAFT_KEY, useIdentity, useSession } from '../../../lib/session.js';
import { PageHeading } from '../../../components/PageHeading.js';
import { useCreateTicket } from '../api/create-ticket.js';
import { useApi } from '../../../lib/api/context.js';
import { errorMessage } from '../../../lib/query-client.js';
import { uploadAttachment } from '../../attachments/api/attachments.js';
import { ACCEPT } from '../../attachments/logic/attachments.js';
import { FIELD_ORDER, fieldOf, initialValues, reportResolver, type ReportField, type ReportValues } from '../logic/report-form.js';
import { ErrorSummary } from './ErrorSummary.js';
import { DuplicateNotice } from './DuplicateNotice.js';
import { FormField, RadioGroup } from './fields.js';
import { StatusBanner } from '../../../components/banners/StatusBanner.js';

/**
 * The unsent report survives a sign-in round trip (session expired while typing) in this tab's
 * sessionStorage, which the browser clears when the tab closes; it is removed once sent.
 */
function loadDraft(): Partial<ReportValues> {
  try {
    const raw = window.sessionStorage.getItem(DRAFT_KEY);
    return raw ? (JSON.parse(raw) as Partial<ReportValues>) : {};
  } catch {
    return {};
  }
}

function keepDraft(values: unknown): void {
  try {
    window.sessionStorage.setItem(DRAFT_KEY, JSON.stringify(values));
  } catch {
    // storage full or disabled: the draft is just not kept
  }
}

/**
 * The report form, checked in the browser by the API's own body schema (`reportSchema`) with the
 * report's wording; the server's field errors are shown on the same fields.
 */
export function ReportPage() {
  const identity = useIdentity();
  const { signIn: onSignIn } = useSession();
  const navigate = useNavigate();
  const createTicket = useCreateTicket();
  const api = useApi();
  const filesRef = useRef<HTMLInputElement>(null);
  const {
    register,
    handleSubmit,
    watch,
    getValues,
    setError,
    formState: { errors, isSubmitting },
  } = useForm({
    resolver: reportResolver,
    defaultValues: initialValues(identity.sites, loadDraft()),
  });
  const [sessionEnded, setSessionEnded] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const idBase = useId();
  const idOf = (f: ReportField) => `${idBase}-${f}`;

  useEffect(() => {
    keepDraft(getValues());
    const sub = watch((values) => keepDraft(values));
    return () => sub.unsubscribe();
  }, [watch, getValues]);

  const showProblem = (message: string) => {
    setFormError(message);
    // Let the summary render, then move focus to it so the problem is announced.
    requestAnimationFrame(() => summaryRef.current?.focus());
  };

  const onSubmit = handleSubmit(
    async (body) => {
      try {
        const ticket = await createTicket.mutateAsync({ ...body, siteId: body.siteId.trim() });
        window.sessionStorage.removeItem(DRAFT_KEY);
        // The files go to the new ticket one by one; the report stands whatever happens to them,
        // and the ticket page lists those the server refused, in its own words.
        const attachmentProblems: string[] = [];
        for (const file of Array.from(filesRef.current?.files ?? [])) {
          try {
            await uploadAttachment(api, ticket.id, file);
          } catch (err) {
            attachmentProblems.push(err instanceof ApiError && err.status !== 401 && err.status < 500 ? err.message : `${file.name}: ${errorMessage(err, 'could not be sent; attach it again from the ticket page.')}`);
          }
        }
        void navigate(`/tickets/${encodeURIComponent(ticket.id)}`, { state: { created: true, attachmentProblems } });
      } catch (err) {
        if (err instanceof ApiError) {
          setSessionEnded(err.status === 401);
          setServerErrors(setError, err.details, fieldOf);
          showProblem(err.message);
        } else {
          showProblem('Something went wrong while sending your report. Please try again.');
        }
      }
    },
    () => showProblem('Please correct the highlighted fields.'),
  );

  const listed = FIELD_ORDER.flatMap((field) => {
    const message = errors[field]?.message;
    return message ? [{ field, message }] : [];
  });
  const hasSites = identity.sites.length > 0;

  return (
    <>
      <PageHeading>Report a problem</PageHeading>
      <p className="lead">Tell IT what is wrong. Fields marked “required” must be filled in.</p>
      <StatusBanner />

      {(formError || listed.length > 0) && (
        <ErrorSummary ref={summaryRef} idBase={idBase} idOf={idOf} formError={formError} fields={listed} sessionEnded={sessionEnded} onSignIn={onSignIn} />
      )}

      <form className="card form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={isSubmitting}>
        <FormField id={idOf('title')} label="Short summary" hint="For example: “Label printer in room 4 prints blank pages”." error={errors.title?.message} required>
          {(a11y) => <input {...a11y} type="text" autoComplete="off" maxLength={200} {...register('title')} />}
        </FormField>

        <FormField id={idOf('category')} label="Kind of problem" error={errors.category?.message} required>
          {(a11y) => (
            <select {...a11y} {...register('category')}>
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
          error={errors.siteId?.message}
          required
        >
          {(a11y) =>
            hasSites ? (
              <select {...a11y} {...register('siteId')}>
                {identity.sites.map((s) => (
                  <option key={s} value={s}>
                    {siteLabel(s)}
                  </option>
                ))}
              </select>
            ) : (
              <input {...a11y} type="text" autoComplete="off" {...register('siteId')} />
            )
          }
        </FormField>

        <DuplicateNotice siteId={watch('siteId')} category={watch('category')} headingId={`${idBase}-duplicates`} />

        <RadioGroup id={idOf('impact')} legend="Who is affected?" options={IMPACTS} error={errors.impact?.message} registration={register('impact')} />
        <RadioGroup id={idOf('urgency')} legend="How urgent is it?" options={URGENCIES} error={errors.urgency?.message} registration={register('urgency')} />

        <div className={`field field--checkbox${errors.patientCareAffected ? ' field--error' : ''}`}>
          <input id={idOf('patientCareAffected')} type="checkbox" aria-describedby={`${idOf('patientCareAffected')}-hint`} {...register('patientCareAffected')} />
          <label htmlFor={idOf('patientCareAffected')}>Patient care is affected</label>
          <p className="hint" id={`${idOf('patientCareAffected')}-hint`}>
            Tick this if patients are waiting, treatment is delayed, or clinical work cannot go on.
          </p>
          {errors.patientCareAffected?.message && <p className="field-error">{errors.patientCareAffected.message}</p>}
        </div>

        <FormField
          id={idOf('description')}
          label="Details"
          hint="What were you doing, what happened, any error message, and which device or room. Do not include patient names or record numbers."
          error={errors.description?.message}
        >
          {(a11y) => <textarea {...a11y} rows={6} maxLength={5000} {...register('description')} />}
        </FormField>

        <div className="field">
          <label htmlFor={`${idBase}-files`}>Photos, screenshots or files</label>
          <p className="hint" id={`${idBase}-files-hint`}>
            Optional. A photo of the error screen helps IT most. Images, PDFs and log files; location and camera details are removed from photos.
          </p>
          <input id={`${idBase}-files`} ref={filesRef} type="file" multiple accept={ACCEPT} aria-describedby={`${idBase}-files-hint`} />
        </div>

        <div className="form__actions">
          <button type="submit" className="button button--primary" disabled={isSubmitting}>
            {isSubmitting ? 'Sending…' : 'Send report'}
          </button>
        </div>
        <p className="hint">If patients are at risk right now, also phone the IT help desk.</p>
      </form>
    </>
  );
}
