import { useId, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { CreateSite, UpdateSite } from '@tierline/contracts';
import { PageHeading } from '../../../components/PageHeading.js';
import { QueryState } from '../../../components/ui.js';
import { ApiError } from '../../../lib/api/client.js';
import { setServerErrors } from '../../../lib/forms.js';
import { FormField } from '../../report/components/fields.js';
import { useCreateSite, useSites, useUpdateSite, type Site } from '../api/admin.js';
import { SITE_FIELDS, fieldOfPath, siteEditResolver, siteResolver, timeZones, type SiteField, type SiteValues } from '../logic/admin-forms.js';
import { ErrorSummary, SuccessNotice, errorText } from './parts.js';

const LABELS: Record<SiteField, string> = { name: 'Name', id: 'Site id', timeZone: 'Time zone' };
const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The clinic's sites: add one (with its sign-in group), rename it or change its time zone. */
export function SitesPage() {
  const sites = useSites();
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <PageHeading>Sites</PageHeading>
      <p className="lead">The clinic's places. People are given sites when they are invited; clinic staff report and see the tickets of their sites.</p>
      {notice && <SuccessNotice>{notice}</SuccessNotice>}
      <AddSiteForm onAdded={(s) => setNotice(`Added ${s.name} (${s.id}).`)} />
      <h2>All sites</h2>
      <QueryState query={sites} loading="Loading the sites…" failed="The sites could not be loaded.">
        {(list) =>
          list.length === 0 ? (
            <p className="empty">No sites yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="versions" data-testid="sites">
                <caption className="visually-hidden">Sites</caption>
                <thead>
                  <tr>
                    <th scope="col">Site</th>
                    <th scope="col">Id</th>
                    <th scope="col">Name and time zone</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((s) => (
                    <tr key={s.id} data-site={s.id}>
                      <th scope="row">{s.name}</th>
                      <td>{s.id}</td>
                      <td>
                        <EditSiteForm site={s} onSaved={(after) => setNotice(`Saved ${after.name}.`)} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
    </>
  );
}

function AddSiteForm({ onAdded }: { onAdded: (s: Site) => void }) {
  const create = useCreateSite();
  const idBase = useId();
  const idOf = (f: SiteField) => `${idBase}-${f}`;
  const empty: SiteValues = useMemo(() => ({ id: '', name: '', timeZone: browserTimeZone() }), []);
  const zones = useMemo(() => timeZones(empty.timeZone), [empty]);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<SiteValues, unknown, CreateSite>({ resolver: siteResolver, defaultValues: empty });
  const [formError, setFormError] = useState<string | null>(null);
  const onSubmit = handleSubmit(
    async (body) => {
      setFormError(null);
      try {
        const site = await create.mutateAsync(body);
        reset(empty);
        onAdded(site);
      } catch (err) {
        if (err instanceof ApiError) {
          setServerErrors(setError, err.details, fieldOfPath(SITE_FIELDS));
          setFormError(err.message);
        } else setFormError('The site could not be added. Please try again.');
      }
    },
    () => setFormError(null),
  );
  const issues = SITE_FIELDS.flatMap((f) => (errors[f]?.message ? [{ id: idOf(f), label: LABELS[f], message: errors[f].message }] : []));
  return (
    <form className="card form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={isSubmitting} aria-labelledby={`${idBase}-title`}>
      <h2 id={`${idBase}-title`}>Add a site</h2>
      <ErrorSummary title="The site was not added" message={formError} issues={issues} />
      <FormField id={idOf('name')} label="Name" hint="As people know it, e.g. East Clinic." error={errors.name?.message} required>
        {(a11y) => <input {...a11y} type="text" autoComplete="off" {...register('name')} />}
      </FormField>
      <FormField id={idOf('id')} label="Site id" hint="Short and permanent, e.g. east: lower-case letters, digits, dash. It cannot be changed later." error={errors.id?.message} required>
        {(a11y) => <input {...a11y} type="text" autoComplete="off" spellCheck={false} {...register('id')} />}
      </FormField>
      <FormField id={idOf('timeZone')} label="Time zone" error={errors.timeZone?.message} required>
        {(a11y) => (
          <select {...a11y} {...register('timeZone')}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        )}
      </FormField>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={isSubmitting}>
          {isSubmitting ? 'Adding…' : 'Add site'}
        </button>
      </div>
    </form>
  );
}

function EditSiteForm({ site, onSaved }: { site: Site; onSaved: (s: Site) => void }) {
  const update = useUpdateSite();
  const idBase = useId();
  const zones = useMemo(() => timeZones(site.timeZone), [site.timeZone]);
  const resolver = useMemo(() => siteEditResolver(site), [site]);
  const {
    register,
    handleSubmit,
    formState: { errors, isSubmitting },
  } = useForm<Pick<SiteValues, 'name' | 'timeZone'>, unknown, UpdateSite>({ resolver, values: { name: site.name, timeZone: site.timeZone } });
  const [error, setError] = useState<string | null>(null);
  const onSubmit = handleSubmit(async (body) => {
    setError(null);
    try {
      onSaved(await update.mutateAsync({ id: site.id, body }));
    } catch (err) {
      setError(errorText(err, `${site.name} could not be saved.`));
    }
  });
  const problem = error ?? errors.name?.message ?? errors.timeZone?.message ?? errors.root?.message ?? (errors as { ''?: { message?: string } })['']?.message;
  return (
    <form className="inline-form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={isSubmitting}>
      <FormField id={`${idBase}-name`} label={`Name of ${site.id}`} error={errors.name?.message}>
        {(a11y) => <input {...a11y} type="text" autoComplete="off" {...register('name')} />}
      </FormField>
      <FormField id={`${idBase}-tz`} label={`Time zone of ${site.id}`} error={errors.timeZone?.message}>
        {(a11y) => (
          <select {...a11y} {...register('timeZone')}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        )}
      </FormField>
      {problem && !errors.name && !errors.timeZone && (
        <p className="field-error" role="alert">
          {problem === 'give a name, a time zone or both' ? 'Nothing changed.' : problem}
        </p>
      )}
      <button type="submit" className="button button--secondary" disabled={isSubmitting}>
        Save <span className="visually-hidden">{site.name}</span>
      </button>
    </form>
  );
}
