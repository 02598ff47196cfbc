import type { PolicyIssue } from '../../../lib/api/types.js';

type TargetField = 'responseTargetMinutes' | 'resolutionTargetMinutes';

/** The P1 rule's two targets as plain number fields, each with the server's issues next to it. */
export function P1TargetsFields({
  rule,
  ids,
  issues,
  disabled,
  onChange,
}: {
  rule: { responseTargetMinutes?: number | undefined; resolutionTargetMinutes?: number | undefined };
  ids: Record<TargetField, string>;
  issues: Record<TargetField, PolicyIssue[]>;
  disabled: boolean;
  onChange: (field: TargetField, raw: string) => void;
}) {
  return (
    <fieldset className="policy-fields">
      <legend>P1 (critical) targets</legend>
      <MinutesField id={ids.responseTargetMinutes} label="P1 response target (minutes)" value={rule.responseTargetMinutes} issues={issues.responseTargetMinutes} disabled={disabled} onChange={(raw) => onChange('responseTargetMinutes', raw)} />
      <MinutesField id={ids.resolutionTargetMinutes} label="P1 resolution target (minutes)" value={rule.resolutionTargetMinutes} issues={issues.resolutionTargetMinutes} disabled={disabled} onChange={(raw) => onChange('resolutionTargetMinutes', raw)} />
    </fieldset>
  );
}

function MinutesField({ id, label, value, issues, disabled, onChange }: { id: string; label: string; value: number | undefined; issues: PolicyIssue[]; disabled: boolean; onChange: (raw: string) => void }) {
  return (
    <div className={`field${issues.length ? ' field--error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        value={String(value ?? '')}
        aria-invalid={issues.length > 0}
        aria-describedby={issues.length ? `${id}-error` : undefined}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
      />
      {issues.length > 0 && (
        <p className="field-error" id={`${id}-error`}>
          {issues.map((i) => i.message).join('; ')}
        </p>
      )}
    </div>
  );
}
