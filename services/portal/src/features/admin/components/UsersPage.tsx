import { useId, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { InviteUser, SetRoles } from '@tierline/contracts';
import { PageHeading } from '../../../components/PageHeading.js';
import { ErrorNotice, QueryState } from '../../../components/ui.js';
import { ApiError } from '../../../lib/api/client.js';
import { setServerErrors } from '../../../lib/forms.js';
import { useIdentity } from '../../../lib/session.js';
import { FormField } from '../../report/components/fields.js';
import { useInviteUser, useSetEnabled, useSetRoles, useSites, useUsers, useVendorOrgs, type DirectoryUser } from '../api/admin.js';
import {
  EMPTY_INVITE,
  INVITE_FIELDS,
  ROLE_LABELS,
  ROLE_OPTIONS,
  fieldOfPath,
  inviteNotice,
  inviteResolver,
  roleChangeNotice,
  rolesResolver,
  type InviteField,
  type InviteValues,
  type RolesValues,
} from '../logic/admin-forms.js';
import { CheckboxGroup, ErrorSummary, SuccessNotice, errorText } from './parts.js';

const INVITE_LABELS: Record<InviteField, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  username: 'Username',
  email: 'Email',
  roles: 'Roles',
  sites: 'Sites',
  vendorOrg: 'Vendor organisation',
};

/** The admin's people: find someone, invite someone, change roles, disable and enable accounts. */
export function UsersPage() {
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const users = useUsers(q);
  const searchId = useId();
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <PageHeading>Users</PageHeading>
      <p className="lead">Everyone who can sign in to Tierline. Invite people, change what they may do, and disable accounts that should no longer be used.</p>
      {notice && <SuccessNotice>{notice}</SuccessNotice>}
      <InviteForm onInvited={setNotice} />
      <h2>People</h2>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(search.trim());
        }}
      >
        <div className="filters__grid">
          <div className="field">
            <label htmlFor={searchId}>Find people by name, username or email</label>
            <input id={searchId} type="text" autoComplete="off" value={search} onChange={(e) => setSearch(e.target.value)} />
          </div>
          <div className="field filters__risk">
            <button type="submit" className="button button--secondary">
              Search
            </button>
          </div>
        </div>
      </form>
      <QueryState query={users} loading="Loading people…" failed="The people could not be loaded.">
        {(list) => (list.length === 0 ? <p className="empty">Nobody matches “{q}”.</p> : <UsersTable users={list} onDone={setNotice} />)}
      </QueryState>
    </>
  );
}

function UsersTable({ users, onDone }: { users: DirectoryUser[]; onDone: (message: string) => void }) {
  const me = useIdentity();
  const setEnabled = useSetEnabled();
  const [error, setError] = useState<string | null>(null);
  const toggle = async (u: DirectoryUser) => {
    setError(null);
    try {
      await setEnabled.mutateAsync({ id: u.id, enabled: !u.enabled });
      onDone(u.enabled ? `${u.displayName} is disabled: signed out everywhere, and cannot sign in until enabled again.` : `${u.displayName} is enabled again and can sign in.`);
    } catch (err) {
      setError(errorText(err, `${u.displayName} could not be changed.`));
    }
  };
  return (
    <>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      <div className="table-wrap">
        <table className="versions" data-testid="users">
          <caption className="visually-hidden">People in the directory</caption>
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Email</th>
              <th scope="col">Sites or organisation</th>
              <th scope="col">Account</th>
              <th scope="col">Roles</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-username={u.username}>
                <th scope="row">
                  {u.displayName} <span className="hint">({u.username})</span>
                </th>
                <td>{u.email ?? '—'}</td>
                <td>{u.vendorOrg ? `Vendor: ${u.vendorOrg}` : u.sites.length ? u.sites.join(', ') : '—'}</td>
                <td>
                  <span className={u.enabled ? 'tag' : 'tag tag--risk'}>{u.enabled ? 'Enabled' : 'Disabled'}</span>{' '}
                  {u.id !== me.id && (
                    <button type="button" className="button button--secondary" disabled={setEnabled.isPending} onClick={() => void toggle(u)}>
                      {u.enabled ? 'Disable' : 'Enable'} <span className="visually-hidden">{u.displayName}</span>
                    </button>
                  )}
                </td>
                <td>{u.id === me.id ? u.roles.map((r) => ROLE_LABELS[r]).join(', ') : <RolesForm user={u} onDone={onDone} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** One person's roles as checkboxes, checked by the route's schema; what the change does is said after saving. */
function RolesForm({ user, onDone }: { user: DirectoryUser; onDone: (message: string) => void }) {
  const setRoles = useSetRoles();
  const id = useId();
  const {
    register,
    handleSubmit,
    formState: { errors, isSubmitting },
  } = useForm<RolesValues, unknown, SetRoles>({ resolver: rolesResolver, values: { roles: user.roles } });
  const [error, setError] = useState<string | null>(null);
  const onSubmit = handleSubmit(async (body) => {
    setError(null);
    try {
      await setRoles.mutateAsync({ id: user.id, roles: body.roles });
      onDone(roleChangeNotice(user.displayName, user.roles, body.roles));
    } catch (err) {
      setError(errorText(err, `The roles of ${user.displayName} could not be saved.`));
    }
  });
  return (
    <form noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={isSubmitting}>
      <CheckboxGroup
        id={`${id}-roles`}
        legend={`Roles of ${user.displayName}`}
        options={ROLE_OPTIONS.map((o) => ({ value: o.value, label: o.label }))}
        error={errors.roles?.message ?? error ?? undefined}
        registration={register('roles')}
      />
      <button type="submit" className="button button--secondary" disabled={isSubmitting}>
        Save roles <span className="visually-hidden">of {user.displayName}</span>
      </button>
    </form>
  );
}

function InviteForm({ onInvited }: { onInvited: (message: string) => void }) {
  const invite = useInviteUser();
  const sites = useSites();
  const orgs = useVendorOrgs();
  const idBase = useId();
  const idOf = (f: InviteField) => `${idBase}-${f}`;
  const {
    register,
    handleSubmit,
    setError,
    reset,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<InviteValues, unknown, InviteUser>({ resolver: inviteResolver, defaultValues: EMPTY_INVITE });
  const [formError, setFormError] = useState<string | null>(null);
  const roles = watch('roles');
  const onSubmit = handleSubmit(
    async (body) => {
      setFormError(null);
      try {
        const created = await invite.mutateAsync(body);
        reset(EMPTY_INVITE);
        onInvited(inviteNotice(created));
      } catch (err) {
        if (err instanceof ApiError) {
          setServerErrors(setError, err.details, fieldOfPath(INVITE_FIELDS));
          setFormError(err.message);
        } else setFormError('The invitation could not be sent. Please try again.');
      }
    },
    () => setFormError(null),
  );
  const issues = INVITE_FIELDS.flatMap((f) => {
    const message = errors[f]?.message;
    return message ? [{ id: idOf(f), label: INVITE_LABELS[f], message }] : [];
  });
  const needsFactor = roles.some((r) => ROLE_OPTIONS.find((o) => o.value === r)?.secondFactor);
  return (
    <form className="card form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={isSubmitting} aria-labelledby={`${idBase}-title`}>
      <h2 id={`${idBase}-title`}>Invite someone</h2>
      <ErrorSummary title="The invitation was not sent" message={formError} issues={issues} />
      <FormField id={idOf('firstName')} label="First name" error={errors.firstName?.message} required>
        {(a11y) => <input {...a11y} type="text" autoComplete="off" {...register('firstName')} />}
      </FormField>
      <FormField id={idOf('lastName')} label="Last name" error={errors.lastName?.message} required>
        {(a11y) => <input {...a11y} type="text" autoComplete="off" {...register('lastName')} />}
      </FormField>
      <FormField id={idOf('username')} label="Username" hint="What they sign in with, e.g. nina.new: lower-case letters, digits, dot, dash." error={errors.username?.message} required>
        {(a11y) => <input {...a11y} type="text" autoComplete="off" spellCheck={false} {...register('username')} />}
      </FormField>
      <FormField id={idOf('email')} label="Email" hint="The invitation goes here." error={errors.email?.message} required>
        {(a11y) => <input {...a11y} type="email" autoComplete="off" {...register('email')} />}
      </FormField>
      <CheckboxGroup
        id={idOf('roles')}
        legend="Roles"
        hint="Every role but clinic staff needs a second factor: the invitation then also enrols an authenticator app."
        options={ROLE_OPTIONS.map((o) => ({ value: o.value, label: o.label }))}
        error={errors.roles?.message}
        registration={register('roles')}
      />
      <CheckboxGroup
        id={idOf('sites')}
        legend="Sites"
        hint="Clinic staff see and report the tickets of their sites."
        options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
        error={errors.sites?.message}
        registration={register('sites')}
      />
      <FormField id={idOf('vendorOrg')} label="Vendor organisation" hint="Only for vendors." error={errors.vendorOrg?.message}>
        {(a11y) => (
          <select {...a11y} {...register('vendorOrg')}>
            <option value="">None</option>
            {(orgs.data ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        )}
      </FormField>
      <p className="hint">{needsFactor ? 'They will set a password and enrol an authenticator app through the e-mailed link.' : 'They will set a password through the e-mailed link.'}</p>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={isSubmitting}>
          {isSubmitting ? 'Sending…' : 'Send invitation'}
        </button>
      </div>
    </form>
  );
}
