import { useId, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { Contacts } from '@tierline/contracts';
import { PageHeading } from '../../../components/PageHeading.js';
import { ApiError } from '../../../lib/api/client.js';
import { FormField } from '../../report/components/fields.js';
import { useMyContacts, useSaveContacts } from '../api/contacts.js';
import { CHANNELS, FIELD_NAMES, FIELD_ORDER, fieldOf, profileResolver, toValues, type ProfileField, type ProfileValues } from '../logic/profile-form.js';

const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The signed-in person's own contacts, channels, quiet hours and time zone (GET/PUT /api/v1/me/contacts). */
export function ProfilePage() {
  const contacts = useMyContacts();
  return (
    <>
      <PageHeading>Your profile</PageHeading>
      <p className="lead">How Tierline tells you about your tickets. Email is used when you choose nothing else.</p>
      {contacts.isPending && <p role="status">Loading your details…</p>}
      {contacts.isError && (
        <div className="notice notice--warning" role="alert">
          <p>{contacts.error.message}</p>
        </div>
      )}
      {contacts.data && <ProfileForm saved={contacts.data} />}
    </>
  );
}

function ProfileForm({ saved }: { saved: Contacts }) {
  const save = useSaveContacts();
  const defaultValues = useMemo(() => toValues(saved, browserTimeZone()), [saved]);
  const {
    register,
    handleSubmit,
    watch,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<ProfileValues, unknown, Contacts>({ resolver: profileResolver, defaultValues });
  const [formError, setFormError] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<Date | null>(null);
  const idBase = useId();
  const idOf = (f: ProfileField | 'quietHoursOn') => `${idBase}-${f.replace('.', '-')}`;
  const quietOn = watch('quietHoursOn');
  const zones = useMemo(() => {
    const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    const current = defaultValues.quietHours.timeZone;
    return all.includes(current) ? all : [current, ...all];
  }, [defaultValues]);

  const errorOf = (f: ProfileField): string | undefined => {
    if (f.startsWith('quietHours.')) return errors.quietHours?.[f.slice('quietHours.'.length) as 'start' | 'end' | 'timeZone']?.message;
    return (errors[f as Exclude<ProfileField, `quietHours.${string}`>] as { message?: string } | undefined)?.message;
  };

  const onSubmit = handleSubmit(
    async (body) => {
      setFormError(null);
      setSavedAt(null);
      try {
        const stored = await save.mutateAsync(body);
        reset(toValues(stored, browserTimeZone()));
        setSavedAt(new Date());
      } catch (err) {
        if (err instanceof ApiError) {
          for (const d of err.details) {
            const f = fieldOf(d.path);
            if (f) setError(f, { type: 'server', message: d.message });
          }
          setFormError(err.message);
        } else {
          setFormError('Something went wrong while saving. Please try again.');
        }
      }
    },
    () => setFormError('Please correct the highlighted fields.'),
  );

  const listed = FIELD_ORDER.flatMap((f) => {
    const message = errorOf(f);
    return message ? [{ f, message }] : [];
  });

  return (
    <form className="card form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={isSubmitting}>
      {(formError || listed.length > 0) && (
        <div className="error-summary" role="alert">
          <h2>Your profile was not saved</h2>
          {formError && <p>{formError}</p>}
          {listed.length > 0 && (
            <ul>
              {listed.map(({ f, message }) => (
                <li key={f}>
                  <a href={`#${idOf(f)}`}>
                    {FIELD_NAMES[f]}: {message}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {savedAt && (
        <p className="notice" role="status">
          Saved. The next update about your tickets follows these settings.
        </p>
      )}

      <h2>Contacts</h2>
      <FormField id={idOf('email')} label="Email" hint="Leave empty to use the address of your clinic account." error={errorOf('email')}>
        {(a11y) => <input {...a11y} type="email" autoComplete="email" {...register('email')} />}
      </FormField>
      <FormField id={idOf('mobile')} label="Mobile number" hint="For SMS. In international form, e.g. +4915123456789." error={errorOf('mobile')}>
        {(a11y) => <input {...a11y} type="tel" autoComplete="tel" {...register('mobile')} />}
      </FormField>
      <FormField id={idOf('slackHandle')} label="Slack handle" error={errorOf('slackHandle')}>
        {(a11y) => <input {...a11y} type="text" autoComplete="off" {...register('slackHandle')} />}
      </FormField>
      <FormField id={idOf('teamsHandle')} label="Teams handle" error={errorOf('teamsHandle')}>
        {(a11y) => <input {...a11y} type="text" autoComplete="off" {...register('teamsHandle')} />}
      </FormField>

      <fieldset className={`field${errorOf('preferredChannels') ? ' field--error' : ''}`} aria-describedby={errorOf('preferredChannels') ? `${idOf('preferredChannels')}-error` : undefined}>
        <legend id={idOf('preferredChannels')}>How to reach you</legend>
        <p className="hint">Choose one or more. Updates about your tickets go to these; none chosen means email.</p>
        {CHANNELS.map((ch) => (
          <div className="field--checkbox" key={ch.value}>
            <input id={`${idOf('preferredChannels')}-${ch.value}`} type="checkbox" value={ch.value} {...register('preferredChannels')} />
            <label htmlFor={`${idOf('preferredChannels')}-${ch.value}`}>{ch.label}</label>
          </div>
        ))}
        {errorOf('preferredChannels') && (
          <p className="field-error" id={`${idOf('preferredChannels')}-error`}>
            {errorOf('preferredChannels')}
          </p>
        )}
      </fieldset>

      <h2>Quiet hours</h2>
      <div className="field field--checkbox">
        <input id={idOf('quietHoursOn')} type="checkbox" {...register('quietHoursOn')} />
        <label htmlFor={idOf('quietHoursOn')}>Do not send me SMS or chat messages during quiet hours</label>
      </div>
      {quietOn && (
        <>
          <FormField id={idOf('quietHours.start')} label="Quiet from" hint="24-hour clock, e.g. 22:00." error={errorOf('quietHours.start')} required>
            {(a11y) => <input {...a11y} type="time" {...register('quietHours.start')} />}
          </FormField>
          <FormField id={idOf('quietHours.end')} label="Quiet until" hint="24-hour clock, e.g. 07:00." error={errorOf('quietHours.end')} required>
            {(a11y) => <input {...a11y} type="time" {...register('quietHours.end')} />}
          </FormField>
          <FormField id={idOf('quietHours.timeZone')} label="Time zone" error={errorOf('quietHours.timeZone')} required>
            {(a11y) => (
              <select {...a11y} {...register('quietHours.timeZone')}>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            )}
          </FormField>
        </>
      )}

      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={isSubmitting}>
          {isSubmitting ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
