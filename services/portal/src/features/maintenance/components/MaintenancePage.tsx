import { useId, useState, type ReactElement } from 'react';
import { useForm } from 'react-hook-form';
import { ApiError } from '../../../lib/api/client.js';
import type { MaintenanceWindow } from '../../../lib/api/types.js';
import { messagesAt, setServerErrors } from '../../../lib/forms.js';
import { CATEGORIES, labelOf, siteLabel } from '../../../lib/labels.js';
import { useIdentity } from '../../../lib/session.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { PageHeading } from '../../../components/PageHeading.js';
import { useCancelWindow, useEditWindow, useEndWindow, useMaintenanceWindows, useScheduleWindow } from '../api/maintenance.js';
import { STATE_LABELS, defaultWindow, fromLocalInput, toLocalInput, viewerTimeZone, windowFieldOf, windowResolver, type WindowForm } from '../logic/maintenance.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

/**
 * Maintenance windows (decision 43): planned downtime for a category at some sites. Tickets
 * opened in a running window's scope open normally but page nobody until it ends. IT leads
 * schedule, edit, end early and cancel; admins read. Times in the viewer's time zone.
 */
export function MaintenancePage() {
  const canEdit = useIdentity().roles.includes('it_lead');
  const windows = useMaintenanceWindows();
  const zone = viewerTimeZone();
  return (
    <>
      <PageHeading>Maintenance windows</PageHeading>
      <p className="lead">
        Planned downtime: while a window runs, staff of its sites see a banner, and new tickets in its scope open normally but do not escalate or page until it
        ends. Tickets already open keep their clocks. Times are in your time zone ({zone}).
        {!canEdit && ' You can read these; only IT leads can change them.'}
      </p>
      {canEdit && <ScheduleForm />}
      <h2>Windows</h2>
      {windows.error && <ErrorNotice>{errorText(windows.error, 'The maintenance windows could not be loaded.')}</ErrorNotice>}
      {!windows.data && !windows.error && (
        <p className="loading" role="status">
          Loading the maintenance windows…
        </p>
      )}
      {windows.data && windows.data.length === 0 && <p className="empty">No maintenance windows yet.</p>}
      {windows.data && windows.data.length > 0 && <WindowsTable windows={windows.data} canEdit={canEdit} />}
    </>
  );
}

function ScheduleForm() {
  const idBase = useId();
  const id = (k: string) => `${idBase}-${k}`;
  const schedule = useScheduleWindow();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    reset,
    setError: setFieldError,
    formState: { errors, isSubmitting },
  } = useForm({ resolver: windowResolver, defaultValues: { title: '', category: '', siteIds: '', ...defaultWindow(new Date()) } satisfies WindowForm });

  const submit = handleSubmit(
    async (body) => {
      try {
        const w = (await schedule.mutateAsync(body)) as MaintenanceWindow;
        setError(null);
        setDone(`Scheduled “${w.title}”.`);
        reset({ title: '', category: '', siteIds: '', ...defaultWindow(new Date()) });
      } catch (err) {
        setDone(null);
        if (err instanceof ApiError) setServerErrors(setFieldError, err.details, windowFieldOf);
        setError(errorText(err, 'The window could not be scheduled.'));
      }
    },
    () => setError('The window was not scheduled: see the fields below.'),
  );

  const field = (key: keyof WindowForm, label: string, control: (p: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactElement, hint?: string) => {
    const m = messagesAt(errors, key);
    const described = [hint ? id(`${key}-hint`) : null, m.length ? id(`${key}-error`) : null].filter(Boolean).join(' ');
    return (
      <div className={`field${m.length ? ' field--error' : ''}`}>
        <label htmlFor={id(key)}>{label}</label>
        {hint && (
          <p className="field-hint" id={id(`${key}-hint`)}>
            {hint}
          </p>
        )}
        {control({ id: id(key), 'aria-invalid': m.length > 0, ...(described ? { 'aria-describedby': described } : {}) })}
        {m.length > 0 && (
          <p className="field-error" id={id(`${key}-error`)}>
            {m.join('; ')}
          </p>
        )}
      </div>
    );
  };

  return (
    <form className="filters" noValidate onSubmit={(e) => void submit(e)} aria-labelledby={id('title-heading')}>
      <h2 id={id('title-heading')}>Schedule a window</h2>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {done && (
        <p className="notice notice--success" role="status">
          {done}
        </p>
      )}
      <div className="filters__grid">
        {field('title', 'Title', (p) => <input {...p} type="text" {...register('title')} />, 'What staff will read on the banner, e.g. “EHR upgrade”.')}
        {field('category', 'Category', (p) => (
          <select {...p} {...register('category')}>
            <option value="">All categories</option>
            {CATEGORIES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        ))}
        {field('siteIds', 'Sites', (p) => <input {...p} type="text" {...register('siteIds')} />, 'Site ids, separated by commas, e.g. “north, south”.')}
        {field('startsAt', 'Starts', (p) => <input {...p} type="datetime-local" {...register('startsAt')} />)}
        {field('endsAt', 'Ends', (p) => <input {...p} type="datetime-local" {...register('endsAt')} />)}
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={isSubmitting}>
          Schedule window
        </button>
      </div>
    </form>
  );
}

function WindowsTable({ windows, canEdit }: { windows: MaintenanceWindow[]; canEdit: boolean }) {
  const end = useEndWindow();
  const cancel = useCancelWindow();
  const [error, setError] = useState<string | null>(null);
  const act = async (what: Promise<unknown>, fallback: string) => {
    try {
      await what;
      setError(null);
    } catch (err) {
      setError(errorText(err, fallback));
    }
  };
  return (
    <>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      <div className="table-wrap">
        <table className="versions" data-testid="maintenance-windows">
          <caption className="visually-hidden">Maintenance windows, newest start first</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Scope</th>
              <th scope="col">Starts</th>
              <th scope="col">Ends</th>
              <th scope="col">State</th>
              {canEdit && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {windows.map((w) => (
              <tr key={w.id} data-window-id={w.id}>
                <th scope="row">{w.title}</th>
                <td>
                  {w.category ? labelOf(CATEGORIES, w.category) : 'All categories'} at {w.siteIds.map(siteLabel).join(', ')}
                </td>
                <td>
                  <When iso={w.startsAt} />
                </td>
                <td>
                  <When iso={w.endsAt} />
                  {w.endedEarlyAt && ' (ended early)'}
                </td>
                <td>{STATE_LABELS[w.state] ?? w.state}</td>
                {canEdit && (
                  <td>
                    {w.state === 'active' && (
                      <button type="button" className="button button--secondary" onClick={() => void act(end.mutateAsync(w.id), 'The window could not be ended.')}>
                        End “{w.title}” now
                      </button>
                    )}
                    {w.state === 'scheduled' && (
                      <button type="button" className="button button--secondary" onClick={() => void act(cancel.mutateAsync(w.id), 'The window could not be cancelled.')}>
                        Cancel “{w.title}”
                      </button>
                    )}
                    {(w.state === 'active' || w.state === 'scheduled') && <EditEnd window={w} />}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Moves a window's end (a running window may change its end only). */
function EditEnd({ window: w }: { window: MaintenanceWindow }) {
  const inputId = useId();
  const edit = useEditWindow();
  const [value, setValue] = useState(toLocalInput(new Date(w.endsAt)));
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    const endsAt = fromLocalInput(value);
    if (!endsAt) return setError('enter an end date and time');
    try {
      await edit.mutateAsync({ id: w.id, body: { endsAt } });
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? (err.details[0]?.message ?? err.message) : 'The end could not be changed.');
    }
  };
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <label htmlFor={inputId}>New end of “{w.title}”</label>
      <input
        id={inputId}
        type="datetime-local"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        aria-invalid={Boolean(error)}
        {...(error ? { 'aria-describedby': `${inputId}-error` } : {})}
      />
      {error && (
        <p className="field-error" id={`${inputId}-error`}>
          {error}
        </p>
      )}
      <button type="button" className="button button--secondary" onClick={() => void save()}>
        Change end
      </button>
    </div>
  );
}
