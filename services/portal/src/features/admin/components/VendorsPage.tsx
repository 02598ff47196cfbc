import { useId, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { CreateVendorOrg, InviteVendorPerson, UpdateVendorOrg } from '@tierline/contracts';
import { UpdateVendorOrgSchema } from '@tierline/contracts';
import { PageHeading } from '../../../components/PageHeading.js';
import { ErrorNotice, QueryState } from '../../../components/ui.js';
import { ApiError } from '../../../lib/api/client.js';
import { bodyResolver, setServerErrors } from '../../../lib/forms.js';
import { FormField } from '../../report/components/fields.js';
import { useCreateVendorOrg, useInviteVendorPerson, useRemoveVendorPerson, useUpdateVendorOrg, useVendorOrgs, useVendorPeople, type VendorOrg } from '../api/admin.js';
import {
  VENDOR_ORG_FIELDS,
  VENDOR_PERSON_FIELDS,
  fieldOfPath,
  inviteNotice,
  vendorOrgResolver,
  vendorPersonResolver,
  type VendorOrgValues,
  type VendorPersonValues,
} from '../logic/admin-forms.js';
import { ErrorSummary, SuccessNotice, errorText } from './parts.js';

const renameResolver = bodyResolver(UpdateVendorOrgSchema, (v: { name: string }): UpdateVendorOrg => ({ name: v.name.trim() }));
const PERSON_LABELS: Record<keyof VendorPersonValues, string> = { firstName: 'First name', lastName: 'Last name', username: 'Username', email: 'Email' };
const EMPTY_PERSON: VendorPersonValues = { firstName: '', lastName: '', username: '', email: '' };

/** Vendor organisations (each a sign-in group) and their people: add, rename, invite, remove. */
export function VendorsPage() {
  const orgs = useVendorOrgs();
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <PageHeading>Vendors</PageHeading>
      <p className="lead">The outside companies tickets are handed to, and their people. A vendor person sees only the tickets handed to their organisation.</p>
      {notice && <SuccessNotice>{notice}</SuccessNotice>}
      <AddOrgForm onAdded={(o) => setNotice(`Added ${o.name} (${o.id}).`)} />
      <QueryState query={orgs} loading="Loading the vendor organisations…" failed="The vendor organisations could not be loaded.">
        {(list) => (list.length === 0 ? <p className="empty">No vendor organisations yet.</p> : list.map((o) => <OrgSection key={o.id} org={o} onDone={setNotice} />))}
      </QueryState>
    </>
  );
}

function AddOrgForm({ onAdded }: { onAdded: (o: VendorOrg) => void }) {
  const create = useCreateVendorOrg();
  const idBase = useId();
  const idOf = (f: keyof VendorOrgValues) => `${idBase}-${f}`;
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<VendorOrgValues, unknown, CreateVendorOrg>({ resolver: vendorOrgResolver, defaultValues: { id: '', name: '' } });
  const [formError, setFormError] = useState<string | null>(null);
  const onSubmit = handleSubmit(
    async (body) => {
      setFormError(null);
      try {
        const org = await create.mutateAsync(body);
        reset({ id: '', name: '' });
        onAdded(org);
      } catch (err) {
        if (err instanceof ApiError) {
          setServerErrors(setError, err.details, fieldOfPath(VENDOR_ORG_FIELDS));
          setFormError(err.message);
        } else setFormError('The organisation could not be added. Please try again.');
      }
    },
    () => setFormError(null),
  );
  const labels = { name: 'Name', id: 'Organisation id' };
  const issues = VENDOR_ORG_FIELDS.flatMap((f) => (errors[f]?.message ? [{ id: idOf(f), label: labels[f], message: errors[f].message }] : []));
  return (
    <form className="card form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={isSubmitting} aria-labelledby={`${idBase}-title`}>
      <h2 id={`${idBase}-title`}>Add a vendor organisation</h2>
      <ErrorSummary title="The organisation was not added" message={formError} issues={issues} />
      <FormField id={idOf('name')} label="Name" hint="e.g. Beta Imaging Ltd." error={errors.name?.message} required>
        {(a11y) => <input {...a11y} type="text" autoComplete="off" {...register('name')} />}
      </FormField>
      <FormField id={idOf('id')} label="Organisation id" hint="Short and permanent, e.g. beta-imaging: lower-case letters, digits, dash." error={errors.id?.message} required>
        {(a11y) => <input {...a11y} type="text" autoComplete="off" spellCheck={false} {...register('id')} />}
      </FormField>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={isSubmitting}>
          {isSubmitting ? 'Adding…' : 'Add organisation'}
        </button>
      </div>
    </form>
  );
}

function OrgSection({ org, onDone }: { org: VendorOrg; onDone: (message: string) => void }) {
  const people = useVendorPeople(org.id);
  const remove = useRemoveVendorPerson(org.id);
  const rename = useUpdateVendorOrg();
  const idBase = useId();
  const [error, setError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    formState: { errors, isSubmitting },
  } = useForm<{ name: string }, unknown, UpdateVendorOrg>({ resolver: renameResolver, values: { name: org.name } });
  const onRename = handleSubmit(async (body) => {
    setError(null);
    try {
      const after = await rename.mutateAsync({ id: org.id, body });
      onDone(`Renamed ${org.id} to ${after.name}.`);
    } catch (err) {
      setError(errorText(err, `${org.name} could not be renamed.`));
    }
  });
  const removePerson = async (userId: string, name: string) => {
    setError(null);
    try {
      const after = await remove.mutateAsync(userId);
      onDone(`${name} is no longer with ${org.name}${after.enabled ? '' : ', and their account is disabled'}.`);
    } catch (err) {
      setError(errorText(err, `${name} could not be removed.`));
    }
  };
  return (
    <section className="card" aria-labelledby={`${idBase}-title`} data-org={org.id}>
      <h2 id={`${idBase}-title`}>
        {org.name} <span className="hint">({org.id})</span>
      </h2>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      <form className="inline-form" noValidate onSubmit={(e) => void onRename(e)} aria-busy={isSubmitting}>
        <FormField id={`${idBase}-name`} label={`Name of ${org.id}`} error={errors.name?.message}>
          {(a11y) => <input {...a11y} type="text" autoComplete="off" {...register('name')} />}
        </FormField>
        <button type="submit" className="button button--secondary" disabled={isSubmitting}>
          Rename <span className="visually-hidden">{org.name}</span>
        </button>
      </form>
      <h3>People</h3>
      <QueryState query={people} loading="Loading its people…" failed="Its people could not be loaded.">
        {(list) =>
          list.length === 0 ? (
            <p className="empty">Nobody yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="versions">
                <caption className="visually-hidden">People of {org.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Email</th>
                    <th scope="col">Account</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((p) => (
                    <tr key={p.id} data-username={p.username}>
                      <th scope="row">
                        {p.displayName} <span className="hint">({p.username})</span>
                      </th>
                      <td>{p.email ?? '—'}</td>
                      <td>{p.enabled ? 'Enabled' : 'Disabled'}</td>
                      <td>
                        <button type="button" className="button button--secondary" disabled={remove.isPending} onClick={() => void removePerson(p.id, p.displayName)}>
                          Remove {p.displayName}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
      <InvitePersonForm org={org} onInvited={onDone} />
    </section>
  );
}

function InvitePersonForm({ org, onInvited }: { org: VendorOrg; onInvited: (message: string) => void }) {
  const invite = useInviteVendorPerson(org.id);
  const idBase = useId();
  const idOf = (f: keyof VendorPersonValues) => `${idBase}-${f}`;
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<VendorPersonValues, unknown, InviteVendorPerson>({ resolver: vendorPersonResolver, defaultValues: EMPTY_PERSON });
  const [formError, setFormError] = useState<string | null>(null);
  const onSubmit = handleSubmit(
    async (body) => {
      setFormError(null);
      try {
        const created = await invite.mutateAsync(body);
        reset(EMPTY_PERSON);
        onInvited(inviteNotice(created));
      } catch (err) {
        if (err instanceof ApiError) {
          setServerErrors(setError, err.details, fieldOfPath(VENDOR_PERSON_FIELDS));
          setFormError(err.message);
        } else setFormError('The invitation could not be sent. Please try again.');
      }
    },
    () => setFormError(null),
  );
  const issues = VENDOR_PERSON_FIELDS.flatMap((f) => (errors[f]?.message ? [{ id: idOf(f), label: PERSON_LABELS[f], message: errors[f].message }] : []));
  return (
    <form className="form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={isSubmitting} aria-labelledby={`${idBase}-title`}>
      <h3 id={`${idBase}-title`}>Invite a person of {org.name}</h3>
      <ErrorSummary title="The invitation was not sent" message={formError} issues={issues} />
      {VENDOR_PERSON_FIELDS.map((f) => (
        <FormField key={f} id={idOf(f)} label={PERSON_LABELS[f]} error={errors[f]?.message} required>
          {(a11y) => <input {...a11y} type={f === 'email' ? 'email' : 'text'} autoComplete="off" spellCheck={f === 'username' ? false : undefined} {...register(f)} />}
        </FormField>
      ))}
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={isSubmitting}>
          {isSubmitting ? 'Sending…' : `Invite to ${org.name}`}
        </button>
      </div>
    </form>
  );
}
