import { useId, useState } from 'react';
import { useForm, type Path } from 'react-hook-form';
import { WEEKDAYS } from '@tierline/contracts';
import { ApiError } from '../../../lib/api/client.js';
import type { Team } from '../../../lib/api/types.js';
import { messagesAt, setServerErrors } from '../../../lib/forms.js';
import { ErrorNotice } from '../../../components/ui.js';
import { useSaveTeam } from '../api/assignment.js';
import { hoursFieldOf, hoursForm, hoursResolver, type HoursForm } from '../logic/assignment.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);
const DAY_NAMES = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' } as const;

/**
 * The team's working hours, one interval a day in the team's time zone (both times empty: closed),
 * checked by the team body schema before it is sent. Outside them P1/P2 tickets go to on-call.
 */
export function WorkingHours({ team }: { team: Team }) {
  const idBase = useId();
  const id = (k: string) => `${idBase}-${k}`;
  const save = useSaveTeam(team.id);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError: setFieldError,
    formState: { errors, isSubmitting },
  } = useForm({ resolver: hoursResolver(team), values: hoursForm(team) satisfies HoursForm });

  const submit = handleSubmit(
    async (body) => {
      setNotice(null);
      try {
        await save.mutateAsync(body);
        setError(null);
        setNotice(`Saved the working hours of ${team.name}.`);
      } catch (err) {
        if (err instanceof ApiError) setServerErrors(setFieldError, err.details, (p) => hoursFieldOf(p) as Path<HoursForm> | undefined);
        setError(errorText(err, 'The working hours could not be saved.'));
      }
    },
    () => setError('The working hours were not saved: see the fields below.'),
  );

  const zoneMessages = messagesAt(errors, 'timeZone');
  return (
    <>
      <h3>Working hours</h3>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {notice && (
        <div className="notice notice--success" role="status">
          <p>{notice}</p>
        </div>
      )}
      <form className="filters hours-form" noValidate onSubmit={(e) => void submit(e)} aria-label={`Working hours of ${team.name}`} data-testid={`hours-${team.id}`}>
        <div className={`field${zoneMessages.length ? ' field--error' : ''}`}>
          <label htmlFor={id('zone')}>Time zone of the working hours</label>
          <input id={id('zone')} type="text" aria-invalid={zoneMessages.length > 0} aria-describedby={zoneMessages.length ? id('zone-error') : undefined} {...register('timeZone')} />
          {zoneMessages.length > 0 && (
            <p className="field-error" id={id('zone-error')}>
              {zoneMessages.join('; ')}
            </p>
          )}
        </div>
        <p className="hint">Leave both times of a day empty when the team does not work that day.</p>
        <div className="filters__grid">
          {WEEKDAYS.map((d) => {
            const m = messagesAt(errors, `weeklyHours.${d}`);
            return (
              <fieldset key={d} className={`field${m.length ? ' field--error' : ''}`} aria-describedby={m.length ? id(`${d}-error`) : undefined}>
                <legend>{DAY_NAMES[d]}</legend>
                <label htmlFor={id(`${d}-start`)}>{DAY_NAMES[d]} from</label>
                <input id={id(`${d}-start`)} type="time" aria-invalid={m.length > 0} {...register(`days.${d}.start`)} />
                <label htmlFor={id(`${d}-end`)}>{DAY_NAMES[d]} until</label>
                <input id={id(`${d}-end`)} type="time" aria-invalid={m.length > 0} {...register(`days.${d}.end`)} />
                {m.length > 0 && (
                  <p className="field-error" id={id(`${d}-error`)}>
                    {m.join('; ')}
                  </p>
                )}
              </fieldset>
            );
          })}
        </div>
        <div className="form__actions">
          <button type="submit" className="button button--primary" disabled={isSubmitting}>
            Save working hours
          </button>
        </div>
      </form>
    </>
  );
}
