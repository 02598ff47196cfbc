import { useId, useState, type ReactElement } from 'react';
import { useForm } from 'react-hook-form';
import { WEEKDAYS } from '@tierline/contracts';
import { ApiError } from '../../../lib/api/client.js';
import type { Rotation, Team } from '../../../lib/api/types.js';
import { messagesAt, setServerErrors } from '../../../lib/forms.js';
import { ErrorNotice } from '../../../components/ui.js';
import { useRemoveRotation, useRotation, useSaveRotation, useSchedule } from '../api/assignment.js';
import { inViewerZone, rotationFieldOf, rotationForm, rotationResolver, viewerTimeZone, type RotationForm } from '../logic/assignment.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

const DAY_NAMES: Record<(typeof WEEKDAYS)[number], string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

/**
 * A team's repeating on-call rotation (IT leads edit it) and who is on call over the next four
 * weeks, the rotation cut around the one-off shifts, in the viewer's own time zone.
 */
export function RotationSection({ team, canEdit }: { team: Team; canEdit: boolean }) {
  const rotation = useRotation(team.id);
  // Kept here: the editor starts afresh (its key) whenever the stored rotation changes.
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <h3>Rotation</h3>
      {notice && (
        <div className="notice notice--success" role="status">
          <p>{notice}</p>
        </div>
      )}
      {rotation.error ? (
        <ErrorNotice>{errorText(rotation.error, 'The rotation could not be loaded.')}</ErrorNotice>
      ) : rotation.data === undefined ? (
        <p className="loading" role="status">
          Loading the rotation…
        </p>
      ) : (
        <RotationEditor key={rotation.data?.updatedAt ?? 'none'} team={team} rotation={rotation.data} canEdit={canEdit} setNotice={setNotice} />
      )}
      <UpcomingShifts team={team} />
    </>
  );
}

function RotationEditor({
  team,
  rotation,
  canEdit,
  setNotice,
}: {
  team: Team;
  rotation: Rotation | null;
  canEdit: boolean;
  setNotice: (notice: string | null) => void;
}) {
  const idBase = useId();
  const id = (k: string) => `${idBase}-${k}`;
  const save = useSaveRotation(team.id);
  const remove = useRemoveRotation(team.id);
  const [error, setError] = useState<string | null>(null);
  const today = new Date().toISOString().slice(0, 10);
  const {
    register,
    handleSubmit,
    setError: setFieldError,
    formState: { errors, isSubmitting },
  } = useForm({
    resolver: rotationResolver,
    defaultValues: rotationForm(rotation, { timeZone: team.timeZone, participants: team.members.map((m) => m.username), today }) satisfies RotationForm,
  });
  const busy = isSubmitting || remove.isPending;

  const submit = handleSubmit(
    async (body) => {
      setNotice(null);
      try {
        await save.mutateAsync(body);
        setError(null);
        setNotice('Rotation saved.');
      } catch (err) {
        if (err instanceof ApiError) setServerErrors(setFieldError, err.details, rotationFieldOf);
        setError(errorText(err, 'The rotation could not be saved.'));
      }
    },
    () => setError('The rotation was not saved: see the fields below.'),
  );

  const end = async () => {
    setNotice(null);
    try {
      await remove.mutateAsync();
      setError(null);
      setNotice('Rotation ended; one-off shifts stay.');
    } catch (err) {
      setError(errorText(err, 'The rotation could not be ended.'));
    }
  };

  if (!canEdit) {
    return rotation ? (
      <p data-testid={`rotation-${team.id}`}>
        {rotation.participants.join(', ')} take turns of {rotation.lengthDays} day(s), handing over at {rotation.handoffTime} ({rotation.timeZone}).
      </p>
    ) : (
      <p className="empty">No rotation: only one-off shifts.</p>
    );
  }

  const field = (key: keyof RotationForm, label: string, control: (p: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactElement, hint?: string) => {
    const m = messagesAt(errors, key);
    const described = [hint ? id(`${key}-hint`) : null, m.length ? id(`${key}-error`) : null].filter(Boolean).join(' ');
    return (
      <div className={`field${m.length ? ' field--error' : ''}`}>
        <label htmlFor={id(key)}>{label}</label>
        {control({ id: id(key), 'aria-invalid': m.length > 0, ...(described ? { 'aria-describedby': described } : {}) })}
        {hint && (
          <p className="hint" id={id(`${key}-hint`)}>
            {hint}
          </p>
        )}
        {m.length > 0 && (
          <p className="field-error" id={id(`${key}-error`)}>
            {m.join('; ')}
          </p>
        )}
      </div>
    );
  };

  return (
    <>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {!rotation && <p className="empty">No rotation yet: only one-off shifts.</p>}
      <form className="filters rotation-form" noValidate onSubmit={(e) => void submit(e)} aria-label={`On-call rotation of ${team.name}`} data-testid={`rotation-${team.id}`}>
        <div className="filters__grid">
          {field(
            'participants',
            'Participants, in hand-off order',
            (p) => <input {...p} type="text" {...register('participants')} />,
            `Usernames separated by commas; members: ${team.members.map((m) => m.username).join(', ') || 'none yet'}.`,
          )}
          {field('handoffWeekday', 'Hand-off day', (p) => (
            <select {...p} {...register('handoffWeekday')}>
              <option value="">On the start date</option>
              {WEEKDAYS.map((d) => (
                <option key={d} value={d}>
                  {DAY_NAMES[d]}
                </option>
              ))}
            </select>
          ))}
          {field('handoffTime', 'Hand-off time', (p) => <input {...p} type="time" {...register('handoffTime')} />)}
          {field('lengthDays', 'Shift length in days', (p) => <input {...p} type="number" min={1} max={28} {...register('lengthDays')} />, '7 for weekly.')}
          {field('timeZone', 'Time zone of the hand-off', (p) => <input {...p} type="text" {...register('timeZone')} />)}
          {field('startDate', 'Starting on', (p) => <input {...p} type="date" {...register('startDate')} />)}
        </div>
        <div className="form__actions">
          <button type="submit" className="button button--primary" disabled={busy}>
            Save rotation
          </button>
          {rotation && (
            <button type="button" className="button button--secondary" disabled={busy} onClick={() => void end()}>
              End rotation
            </button>
          )}
        </div>
      </form>
    </>
  );
}

function UpcomingShifts({ team }: { team: Team }) {
  const schedule = useSchedule(team.id);
  const zone = viewerTimeZone();
  const nameOf = (username: string) => team.members.find((m) => m.username === username)?.displayName ?? username;
  return (
    <>
      <h3>Upcoming shifts</h3>
      <p className="hint">The next four weeks, in your time zone ({zone}).</p>
      {schedule.error && <ErrorNotice>{errorText(schedule.error, 'The upcoming shifts could not be loaded.')}</ErrorNotice>}
      {schedule.data && schedule.data.length === 0 && <p className="empty">Nobody is on call in the next four weeks.</p>}
      {schedule.data && schedule.data.length > 0 && (
        <div className="table-wrap">
          <table className="versions" data-testid={`schedule-${team.id}`}>
            <caption className="visually-hidden">
              Who is on call for {team.name} over the next four weeks, in {zone}
            </caption>
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col">From</th>
                <th scope="col">Until</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {schedule.data.map((s) => (
                <tr key={`${s.startsAt}-${s.username}`} data-username={s.username} data-source={s.source}>
                  <th scope="row">{nameOf(s.username)}</th>
                  <td>
                    <time dateTime={s.startsAt}>{inViewerZone(s.startsAt, zone)}</time>
                  </td>
                  <td>
                    <time dateTime={s.endsAt}>{inViewerZone(s.endsAt, zone)}</time>
                  </td>
                  <td>{s.source === 'override' ? <span className="tag tag--risk">override</span> : 'rotation'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
