import { useId, useState, type FormEvent, type ReactElement } from 'react';
import { ApiError } from '../../../lib/api/client.js';
import type { OnCallShift, Team } from '../../../lib/api/types.js';
import { useAddShift, useOnCall, useRemoveShift } from '../api/assignment.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { defaultShift, fromLocalInput, type FieldIssue } from '../logic/assignment.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);
const detailsOf = (err: unknown): FieldIssue[] => (err instanceof ApiError ? err.details : []);

export function OnCallList({ team, canEdit }: { team: Team; canEdit: boolean }) {
  const idBase = useId();
  const id = (k: string) => `${idBase}-${k}`;
  const onCall = useOnCall(team.id);
  const addShift = useAddShift(team.id);
  const removeShift = useRemoveShift(team.id);
  const shifts: OnCallShift[] | null = onCall.data ?? null;
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? (onCall.error ? errorText(onCall.error, 'The on-call rota could not be loaded.') : null);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState(() => ({ username: team.members[0]?.username ?? '', ...defaultShift(new Date()) }));


  const add = async (e: FormEvent) => {
    e.preventDefault();
    const startsAt = fromLocalInput(form.start);
    const endsAt = fromLocalInput(form.end);
    const local: FieldIssue[] = [
      ...(startsAt ? [] : [{ path: 'startsAt', message: 'enter a start date and time' }]),
      ...(endsAt ? [] : [{ path: 'endsAt', message: 'enter an end date and time' }]),
    ];
    if (local.length > 0 || !startsAt || !endsAt) {
      setIssues(local);
      setError('The shift is not complete: see the fields below.');
      return;
    }
    setBusy(true);
    try {
      await addShift.mutateAsync({ username: form.username, startsAt, endsAt });
      setIssues([]);
      setError(null);
    } catch (err) {
      setIssues(detailsOf(err));
      setError(errorText(err, 'The shift could not be added.'));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (s: OnCallShift) => {
    setBusy(true);
    try {
      await removeShift.mutateAsync(s.id);
      setError(null);
    } catch (err) {
      setError(errorText(err, 'The shift could not be removed.'));
    } finally {
      setBusy(false);
    }
  };

  const msgs = (path: string) => issues.filter((i) => i.path === path).map((i) => i.message);
  const nameOf = (username: string) => team.members.find((m) => m.username === username)?.displayName ?? username;
  const input = (key: 'username' | 'start' | 'end', path: string, label: string, control: (p: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactElement) => {
    const m = msgs(path);
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
      <h3 id={id('title')}>On call</h3>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {shifts && shifts.length === 0 && <p className="empty">No current or upcoming on-call shifts.</p>}
      {shifts && shifts.length > 0 && (
        <div className="table-wrap">
          <table className="versions" data-testid={`on-call-${team.id}`}>
            <caption className="visually-hidden">Current and upcoming on-call shifts of {team.name}</caption>
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
        <form className="filters shift-form" onSubmit={(e) => void add(e)} aria-label={`Add an on-call shift to ${team.name}`}>
          <div className="filters__grid">
            {input('username', 'username', 'On call', (p) => (
              <select {...p} value={form.username} onChange={(e) => setForm((f) => ({ ...f, username: e.target.value }))}>
                {team.members.map((m) => (
                  <option key={m.username} value={m.username}>
                    {m.displayName}
                  </option>
                ))}
              </select>
            ))}
            {input('start', 'startsAt', 'From', (p) => <input {...p} type="datetime-local" value={form.start} onChange={(e) => setForm((f) => ({ ...f, start: e.target.value }))} />)}
            {input('end', 'endsAt', 'Until', (p) => <input {...p} type="datetime-local" value={form.end} onChange={(e) => setForm((f) => ({ ...f, end: e.target.value }))} />)}
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
