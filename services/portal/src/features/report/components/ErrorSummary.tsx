import type { Ref } from 'react';
import { FIELD_NAMES, type ReportField } from '../logic/report-form.js';

/** "Your report was not sent": the form's message, a way back to sign in, and a link to each field in error. */
export function ErrorSummary({
  ref,
  idBase,
  idOf,
  formError,
  fields,
  sessionEnded,
  onSignIn,
}: {
  ref: Ref<HTMLDivElement>;
  idBase: string;
  idOf: (f: ReportField) => string;
  formError: string | null;
  fields: { field: ReportField; message: string }[];
  sessionEnded: boolean;
  onSignIn: () => void;
}) {
  return (
    <div className="error-summary" role="alert" tabIndex={-1} ref={ref} aria-labelledby={`${idBase}-summary-title`}>
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
      {fields.length > 0 && (
        <ul>
          {fields.map(({ field, message }) => (
            <li key={field}>
              <a
                href={`#${idOf(field)}`}
                onClick={(ev) => {
                  ev.preventDefault();
                  document.getElementById(idOf(field))?.focus();
                }}
              >
                {FIELD_NAMES[field]}: {message}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
