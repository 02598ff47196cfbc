import { useId, useState, type ReactElement } from 'react';
import { useForm } from 'react-hook-form';
import { ApiError } from '../../../lib/api/client.js';
import { messagesAt, setServerErrors } from '../../../lib/forms.js';
import type { OnCallShift, Team } from '../../../lib/api/types.js';
import { useAddShift, useOnCall, useRemoveShift } from '../api/assignment.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { defaultShift, shiftFieldOf, shiftResolver, type ShiftForm } from '../logic/assignment.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

export function OnCallList({ team, canEdit }: { team: Team; canEdit: boolean }) {
  const idBase = useId();
  const id = (k: string) => `${idBase}-${k}`;
  const onCall = useOnCall(team.id);
  const addShift = useAddShift(team.id);
  const removeShift = useRemoveShift(team.id);
  const shifts: OnCallShift[] | null = onCall.data ?? null;
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? (onCall.error ? errorText(onCall.error, 'The on-call rota could not be loaded.') : null);
  const [removing, setRemoving] = useState(false);
  const {
    register,
    handleSubmit,
    setError: setFieldError,
    formState: { errors, isSubmitting },
  } = useForm({
    resolver: shiftResolver,
    defaultValues: { username: team.members[0]?.username ?? '', ...defaultShift(new Date()) } satisfies ShiftForm,
  });
  const busy = removing || isSubmitting;

  /** Checked by the route's body schema (the local times as instants) before it is sent; the server's field errors land on the same fields. */
  const add = handleSubmit(
    async (body) => {
      try {
        await addShift.mutateAsync(body);
        setError(null);
      } catch (err) {
        if (err instanceof ApiError) setServerErrors(setFieldError, err.details, shiftFieldOf);
        setError(errorText(err, 'The shift could not be added.'));
      }
    },
    () => setError('The shift was not added: see the fields below.'),
  );

  const remove = async (s: OnCallShift) => {
    setRemoving(true);
    try {
      await removeShift.mutateAsync(s.id);
      setError(null);
    } catch (err) {
      setError(errorText(err, 'The shift could not be removed.'));
    } finally {
      setRemoving(false);
    }
  };

  const nameOf = (username: string) => team.members.find((m) => m.username === username)?.displayName ?? username;
  const input = (key: keyof ShiftForm, label: string, control: (p: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactElement) => {
    const m = messagesAt(errors, key);
    return (
      <div className={`field${m.length ? ' field--error' : ''}`}>
        <label htmlFor={id(key)}>{label}</label>
        {control({ id: id(key), 'aria-invalid': m.length > 0, ...(m.length ? { 'aria-describedby': id(`${key}-error`) } : {}) })}
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
      <h3 id={id('title')}>One-off shifts (overrides)</h3>
      <p className="hint">A one-off shift replaces whoever the rotation names for its span: a swap, a sick day, a holiday.</p>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {shifts && shifts.length === 0 && <p className="empty">No current or upcoming one-off shifts.</p>}
      {shifts && shifts.length > 0 && (
        <div className="table-wrap">
          <table className="versions" data-testid={`on-call-${team.id}`}>
            <caption className="visually-hidden">Current and upcoming one-off on-call shifts of {team.name}</caption>
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col">From</th>
                <th scope="col">Until</th>
                {canEdit && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {shifts.map((s) => (
                <tr key={s.id} data-shift-id={s.id}>
                  <th scope="row">{nameOf(s.username)}</th>
                  <td>
                    <When iso={s.startsAt} />
                  </td>
                  <td>
                    <When iso={s.endsAt} />
                  </td>
                  {canEdit && (
                    <td>
                      <button type="button" className="button button--secondary" disabled={busy} onClick={() => void remove(s)}>
                        Remove shift of {nameOf(s.username)}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && team.members.length > 0 && (
        <form className="filters shift-form" noValidate onSubmit={(e) => void add(e)} aria-label={`Add an on-call shift to ${team.name}`}>
          <div className="filters__grid">
            {input('username', 'On call', (p) => (
              <select {...p} {...register('username')}>
                {team.members.map((m) => (
                  <option key={m.username} value={m.username}>
                    {m.displayName}
                  </option>
                ))}
              </select>
            ))}
            {input('startsAt', 'From', (p) => <input {...p} type="datetime-local" {...register('startsAt')} />)}
            {input('endsAt', 'Until', (p) => <input {...p} type="datetime-local" {...register('endsAt')} />)}
          </div>
          <div className="form__actions">
            <button type="submit" className="button button--primary" disabled={busy}>
              Add shift
            </button>
          </div>
        </form>
      )}
    </>
  );
}
