import type { ReactNode } from 'react';
import type { UseFormRegisterReturn } from 'react-hook-form';

export interface ControlA11y {
  id: string;
  required?: boolean;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

/** A labelled control with its hint and, next to it, its error; the control gets the ids to point at them. */
export function FormField({
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

/** A required choice of one option, its error under the legend. */
export function RadioGroup({
  id,
  legend,
  options,
  error,
  registration,
}: {
  id: string;
  legend: string;
  options: readonly { value: string; label: string }[];
  error?: string | undefined;
  registration: UseFormRegisterReturn;
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
              value={o.value}
              {...registration}
            />
            <label htmlFor={i === 0 ? id : `${id}-${o.value}`}>{o.label}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}
