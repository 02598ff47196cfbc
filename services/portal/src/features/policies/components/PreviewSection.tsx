import { ApiError } from '../../../lib/api/client.js';
import type { PolicyPreview, PolicyPreviewStep } from '../../../lib/api/types.js';
import { errorMessage } from '../../../lib/query-client.js';
import { useSettled } from '../../../lib/use-settled.js';
import { usePolicyPreview } from '../api/preview.js';
import { describeStep, formatMinutes, type PolicyShape } from '../logic/policy.js';

const wallClock = (timeZone: string) => {
  try {
    return new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' });
  } catch {
    return new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  }
};

/** Calendar minutes as read: whole minutes as usual, a warning's fraction with its seconds ("1 min 30 s"). */
function span(minutes: number): string {
  const seconds = Math.round((minutes % 1) * 60);
  const whole = Math.floor(minutes);
  if (seconds === 0 || seconds === 60) return formatMinutes(Math.round(minutes));
  return whole === 0 ? `${seconds} s` : `${formatMinutes(whole)} ${seconds} s`;
}

/** Why there is no preview: the server's first issue with the policy, or its message. */
function problemOf(err: unknown): string {
  if (err instanceof ApiError && err.status === 422) {
    const first = err.details[0];
    return `The preview needs a draft without problems${first ? `: ${first.path} ${first.message}` : '.'}`;
  }
  return errorMessage(err, 'The preview could not be computed. Please try again.');
}

/**
 * How a P1 opened now would escalate under the policy being edited, step by step at its real
 * wall-clock time, as the server computes it with the workflow's own calendar and escalation code.
 */
export function PreviewSection({ policy, headingId }: { policy: PolicyShape | null; headingId: string }) {
  const settled = useSettled(policy, 400);
  const preview = usePolicyPreview(settled, 'P1');
  let body;
  if (!policy) body = <p>The preview needs the draft to be valid JSON.</p>;
  else if (preview.error && !preview.isPlaceholderData) body = <p>{problemOf(preview.error)}</p>;
  else if (!preview.data)
    body = (
      <p className="loading" role="status">
        Computing the preview…
      </p>
    );
  else body = <PreviewSteps preview={preview.data} policy={settled ?? policy} />;
  return (
    <section className="card" aria-labelledby={headingId} data-testid="policy-preview">
      <h2 id={headingId}>Preview: a P1 opened now</h2>
      {body}
    </section>
  );
}

function PreviewSteps({ preview, policy }: { preview: PolicyPreview; policy: PolicyShape }) {
  const format = wallClock(preview.timeZone);
  const rule = policy.rules?.[preview.ruleIndex];
  return (
    <>
      <p>
        Rule {preview.ruleIndex + 1} on the calendar <strong>{preview.calendar}</strong> ({preview.timeZone}).{' '}
        {preview.businessHours
          ? 'Business hours apply: the clocks count working minutes only and stop outside opening hours, at weekends and on holidays; the times below allow for that.'
          : 'It runs around the clock, so each step happens at the time shown unless someone acts first.'}
      </p>
      <ol className="preview">
        {preview.steps.map((s: PolicyPreviewStep, i) => (
          <li key={i} className="preview__step">
            <span className="preview__when">
              after {span(s.minutes)} of the {s.clock} clock (<time dateTime={s.at}>{format.format(new Date(s.at))}</time>)
            </span>{' '}
            <span aria-hidden="true">→</span>
            <span className="visually-hidden">:</span> {describeStep(s, rule)}
          </li>
        ))}
      </ol>
    </>
  );
}
