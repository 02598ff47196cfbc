import { useId, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { MemberBody } from '@tierline/contracts';
import { ApiError } from '../../../lib/api/client.js';
import type { Team, TeamMember } from '../../../lib/api/types.js';
import { messagesAt, setServerErrors, type FieldIssue } from '../../../lib/forms.js';
import { useRemoveMember, useSaveMember } from '../api/assignment.js';
import { AddMember } from './AddMember.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { memberBody, skillsFieldOf, skillsResolver } from '../logic/assignment.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

/** Saves a member; resolves to the server's field issues (none when saved). */
type SaveMember = (m: TeamMember, body: MemberBody) => Promise<readonly FieldIssue[]>;

export function MembersTable({ team, canEdit }: { team: Team; canEdit: boolean }) {
  const saveMemberCall = useSaveMember(team.id);
  const removeMemberCall = useRemoveMember(team.id);
  const idBase = useId();
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const saveMember: SaveMember = async (m, body) => {
    setBusy(true);
    setNotice(null);
    try {
      await saveMemberCall.mutateAsync({ username: m.username, body });
      setError(null);
      setNotice(`Saved ${m.displayName}.`);
      return [];
    } catch (err) {
      setError(errorText(err, `${m.displayName} could not be saved.`));
      return err instanceof ApiError ? err.details : [];
    } finally {
      setBusy(false);
    }
  };

  const removeMember = async (m: TeamMember) => {
    setBusy(true);
    setNotice(null);
    try {
      await removeMemberCall.mutateAsync(m.username);
      setError(null);
      setNotice(`Removed ${m.displayName} from ${team.name}.`);
    } catch (err) {
      setError(errorText(err, `${m.displayName} could not be removed.`));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h3>Members</h3>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {notice && (
        <div className="notice notice--success" role="status">
          <p>{notice}</p>
        </div>
      )}
      {team.members.length === 0 ? (
        <p className="empty">No members yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="versions" data-testid={`members-${team.id}`}>
            <caption className="visually-hidden">Members of {team.name}</caption>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Skills</th>
                <th scope="col">Available for assignment</th>
                <th scope="col">Last changed</th>
                {canEdit && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {team.members.map((m) => {
                const f = (k: string) => `${idBase}-${m.username}-${k}`;
                return (
                  <tr key={m.username} data-username={m.username}>
                    <th scope="row">
                      {m.displayName} <span className="hint">({m.username})</span>
                      {m.userId === null && <span className="tag tag--risk">no user id yet: not picked automatically</span>}
                    </th>
                    <td>
                      {canEdit ? (
                        <SkillsForm member={m} id={f('skills')} busy={busy} save={saveMember} />
                      ) : m.skills.length ? (
                        m.skills.join(', ')
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      <div className="field field--checkbox">
                        <input
                          id={f('available')}
                          type="checkbox"
                          checked={m.available}
                          disabled={!canEdit || busy}
                          onChange={(e) => void saveMember(m, memberBody(m, { available: e.target.checked }))}
                        />
                        <label htmlFor={f('available')}>
                          <span className="visually-hidden">{m.displayName} </span>available
                        </label>
                      </div>
                    </td>
                    <td>
                      <When iso={m.updatedAt} />
                    </td>
                    {canEdit && (
                      <td>
                        <button type="button" className="button button--secondary" disabled={busy} onClick={() => void removeMember(m)}>
                          Remove {m.displayName}
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && <AddMember team={team} />}
    </>
  );
}

/**
 * One member's skills as a comma list, checked as the member body the route takes
 * (MemberBodySchema) before it is sent; the schema's and the server's messages show under it.
 * It follows the stored skills whenever they change (saved here or elsewhere).
 */
function SkillsForm({ member, id, busy, save }: { member: TeamMember; id: string; busy: boolean; save: SaveMember }) {
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm({ resolver: skillsResolver(member), values: { skills: member.skills.join(', ') } });
  const messages = messagesAt(errors, 'skills');
  const onSubmit = handleSubmit(async (body) => {
    setServerErrors(setError, await save(member, body), skillsFieldOf);
  });
  return (
    <form className={`field${messages.length ? ' field--error' : ''}`} noValidate onSubmit={(e) => void onSubmit(e)}>
      <label htmlFor={id} className="visually-hidden">
        Skills of {member.displayName}
      </label>
      <input id={id} type="text" aria-invalid={messages.length > 0} aria-describedby={messages.length ? `${id}-error` : undefined} {...register('skills')} />
      {messages.length > 0 && (
        <p className="field-error" id={`${id}-error`}>
          {messages.join('; ')}
        </p>
      )}
      <button type="submit" className="button button--secondary" disabled={busy}>
        Save skills of {member.displayName}
      </button>
    </form>
  );
}
