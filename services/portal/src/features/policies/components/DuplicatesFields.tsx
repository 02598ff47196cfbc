import type { PolicyIssue } from '../../../lib/api/types.js';
import { issuesFor, type PolicyShape } from '../logic/policy.js';

/** The policy's duplicates setting as it may stand in the text being typed (loose: not yet valid). */
type DuplicatesShape = NonNullable<PolicyShape['duplicates']>;

/** The built-in values, shown when the draft does not set them (packages/domain policy/duplicates.ts). */
const DEFAULT_WINDOW = 120;

/**
 * The policy's likely-duplicates setting (docs/decisions/0042) as two plain fields bound to the
 * JSON text like the P1 targets: the window of recent P1/P2 in minutes, and whether new reports
 * join an open major incident on their own. Each shows the issues of its path.
 */
export function DuplicatesFields({
  value,
  idBase,
  issues,
  disabled,
  onChange,
}: {
  value: DuplicatesShape | undefined;
  idBase: string;
  issues: readonly PolicyIssue[];
  disabled: boolean;
  onChange: (next: { windowMinutes: unknown; autoLink: unknown }) => void;
}) {
  const windowMinutes = value?.windowMinutes ?? DEFAULT_WINDOW;
  const autoLink = value?.autoLink === true;
  const windowIssues = [...issuesFor(issues, 'duplicates.windowMinutes'), ...issues.filter((i) => i.path === 'duplicates')];
  const autoLinkIssues = issuesFor(issues, 'duplicates.autoLink');
  const windowId = `${idBase}-dup-window`;
  const autoId = `${idBase}-dup-auto`;
  return (
    <fieldset className="policy-fields">
      <legend>Likely duplicates</legend>
      <div className={`field${windowIssues.length ? ' field--error' : ''}`}>
        <label htmlFor={windowId}>Recent urgent reports count for (minutes)</label>
        <p className="hint" id={`${windowId}-hint`}>
          A new report with the site and kind of problem of an open major incident, or of a P1/P2 reported this recently, is shown as “IT already knows about this”. 5 to 1440.
        </p>
        <input
          id={windowId}
          type="number"
          inputMode="numeric"
          min={5}
          max={1440}
          value={typeof windowMinutes === 'number' || typeof windowMinutes === 'string' ? String(windowMinutes) : ''}
          aria-invalid={windowIssues.length > 0}
          aria-describedby={`${windowId}-hint${windowIssues.length ? ` ${windowId}-error` : ''}`}
          disabled={disabled}
          onChange={(e) => {
            const raw = e.target.value;
            const n = Number(raw);
            // Kept as typed when it is not a number, so the schema names the problem.
            onChange({ windowMinutes: raw.trim() !== '' && Number.isFinite(n) ? n : raw, autoLink });
          }}
        />
        {windowIssues.length > 0 && (
          <p className="field-error" id={`${windowId}-error`}>
            {windowIssues.map((i) => i.message).join('; ')}
          </p>
        )}
      </div>
      <div className={`field field--checkbox${autoLinkIssues.length ? ' field--error' : ''}`}>
        <input
          id={autoId}
          type="checkbox"
          checked={autoLink}
          aria-describedby={`${autoId}-hint`}
          disabled={disabled}
          onChange={(e) => onChange({ windowMinutes, autoLink: e.target.checked })}
        />
        <label htmlFor={autoId}>Link new reports to the open major incident automatically</label>
        <p className="hint" id={`${autoId}-hint`}>
          Off: IT links them with one click. On: a new report of the same site and kind joins the incident at once; each link is in the audit log.
        </p>
        {autoLinkIssues.length > 0 && <p className="field-error">{autoLinkIssues.map((i) => i.message).join('; ')}</p>}
      </div>
    </fieldset>
  );
}
