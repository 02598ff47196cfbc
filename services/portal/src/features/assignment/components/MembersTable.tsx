import { useId, useState } from 'react';
import { ApiError } from '../../../lib/api/client.js';
import type { Team, TeamMember } from '../../../lib/api/types.js';
import { useSaveMember } from '../api/assignment.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { parseSkills, type FieldIssue } from '../logic/assignment.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);
const detailsOf = (err: unknown): FieldIssue[] => (err instanceof ApiError ? err.details : []);

export function MembersTable({ team, canEdit }: { team: Team; canEdit: boolean }) {
  const saveMemberCall = useSaveMember(team.id);
  const idBase = useId();
  const [skills, setSkills] = useState<Record<string, string>>({});
  const [issues, setIssues] = useState<Record<string, FieldIssue[]>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const skillText = (m: TeamMember) => skills[m.username] ?? m.skills.join(', ');

  const saveMember = async (m: TeamMember, patch: { skills?: string[]; available?: boolean }) => {
    setBusy(true);
    setNotice(null);
    try {
      await saveMemberCall.mutateAsync({ member: m, patch });
      setIssues((x) => ({ ...x, [m.username]: [] }));
      setSkills((x) => {
        const { [m.username]: _, ...rest } = x;
        return rest;
      });
      setError(null);
      setNotice(`Saved ${m.displayName}.`);
    } catch (err) {
      setIssues((x) => ({ ...x, [m.username]: detailsOf(err) }));
      setError(errorText(err, `${m.displayName} could not be saved.`));
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
              </tr>
            </thead>
            <tbody>
              {team.members.map((m) => {
                const f = (k: string) => `${idBase}-${m.username}-${k}`;
                const skillIssues = (issues[m.username] ?? []).filter((i) => i.path.startsWith('skills'));
                return (
                  <tr key={m.username} data-username={m.username}>
                    <th scope="row">
                      {m.displayName} <span className="hint">({m.username})</span>
                      {m.userId === null && <span className="tag tag--risk">no user id yet: not picked automatically</span>}
                    </th>
                    <td>
                      {canEdit ? (
                        <form
                          className={`field${skillIssues.length ? ' field--error' : ''}`}
                          onSubmit={(e) => {
                            e.preventDefault();
                            void saveMember(m, { skills: parseSkills(skillText(m)) });
                          }}
                        >
                          <label htmlFor={f('skills')} className="visually-hidden">
                            Skills of {m.displayName}
                          </label>
                          <input
                            id={f('skills')}
                            type="text"
                            value={skillText(m)}
                            aria-invalid={skillIssues.length > 0}
                            aria-describedby={skillIssues.length ? f('skills-error') : undefined}
                            onChange={(e) => setSkills((x) => ({ ...x, [m.username]: e.target.value }))}
                          />
                          {skillIssues.length > 0 && (
                            <p className="field-error" id={f('skills-error')}>
                              {skillIssues.map((i) => i.message).join('; ')}
                            </p>
                          )}
                          <button type="submit" className="button button--secondary" disabled={busy}>
                            Save skills of {m.displayName}
                          </button>
                        </form>
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
                          onChange={(e) => void saveMember(m, { available: e.target.checked })}
                        />
                        <label htmlFor={f('available')}>
                          <span className="visually-hidden">{m.displayName} </span>available
                        </label>
                      </div>
                    </td>
                    <td>
                      <When iso={m.updatedAt} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
