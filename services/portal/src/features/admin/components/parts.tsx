import type { ReactNode } from 'react';
import type { UseFormRegisterReturn } from 'react-hook-form';
import { ApiError } from '../../../lib/api/client.js';

export const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

/** Several choices of one field (roles, sites), the field's error under the legend. */
export function CheckboxGroup({
  id,
  legend,
  hint,
  options,
  error,
  registration,
}: {
  id: string;
  legend: string;
  hint?: string;
  options: readonly { value: string; label: string }[];
  error?: string | undefined;
  registration: UseFormRegisterReturn;
}) {
  return (
    <fieldset className={`field${error ? ' field--error' : ''}`} aria-describedby={[hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined}>
      <legend id={id}>{legend}</legend>
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
      {options.map((o) => (
        <div className="field--checkbox" key={o.value}>
          <input id={`${id}-${o.value}`} type="checkbox" value={o.value} {...registration} />
          <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

/** The list of what stopped a form, each linking to its field. */
export function ErrorSummary({ title, message, issues }: { title: string; message: string | null; issues: { id: string; label: string; message: string }[] }) {
  if (!message && issues.length === 0) return null;
  return (
    <div className="error-summary" role="alert">
      <h3>{title}</h3>
      {message && <p>{message}</p>}
      {issues.length > 0 && (
        <ul>
          {issues.map((i) => (
            <li key={i.id}>
              <a href={`#${i.id}`}>
                {i.label}: {i.message}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function SuccessNotice({ children }: { children: ReactNode }) {
  return (
    <div className="notice notice--success" role="status">
      <p>{children}</p>
    </div>
  );
}
