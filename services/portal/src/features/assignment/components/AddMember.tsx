import { useId, useState } from 'react';
import { ApiError } from '../../../lib/api/client.js';
import type { Team } from '../../../lib/api/types.js';
import { ErrorNotice } from '../../../components/ui.js';
import { useItDirectory, useSaveMember } from '../api/assignment.js';
import { searchPeople } from '../logic/assignment.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

/**
 * Adds an IT person from the directory to the team: search by name or username, then "Add". The
 * member is sent with their Keycloak user id, so automatic assignment can pick them at once.
 */
export function AddMember({ team }: { team: Team }) {
  const id = useId();
  const [text, setText] = useState('');
  const searching = text.trim() !== '';
  // The directory is asked only once somebody searches, and its failure shown only then.
  const directory = useItDirectory(searching);
  const saveMember = useSaveMember(team.id);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const matches = directory.data && searching ? searchPeople(directory.data, team.members, text).slice(0, 8) : [];

  const add = async (p: { id: string; username: string; displayName: string }) => {
    setNotice(null);
    try {
      await saveMember.mutateAsync({ username: p.username, body: { displayName: p.displayName, skills: [], available: true, userId: p.id } });
      setError(null);
      setNotice(`Added ${p.displayName} to ${team.name}.`);
      setText('');
    } catch (err) {
      setError(errorText(err, `${p.displayName} could not be added.`));
    }
  };

  return (
    <div className="add-member" data-testid={`add-member-${team.id}`}>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {notice && (
        <div className="notice notice--success" role="status">
          <p>{notice}</p>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-search`}>Find a person to add</label>
        <input id={`${id}-search`} type="search" value={text} onChange={(e) => setText(e.target.value)} aria-describedby={`${id}-hint`} />
        <p className="hint" id={`${id}-hint`}>
          IT agents and leads from the directory, by name or username.
        </p>
      </div>
      {searching && directory.error && <ErrorNotice>{errorText(directory.error, 'The directory could not be loaded.')}</ErrorNotice>}
      {searching && directory.data && matches.length === 0 && <p className="empty">Nobody else matches “{text.trim()}”.</p>}
      {matches.length > 0 && (
        <ul className="plain-list" aria-label="People found">
          {matches.map((p) => (
            <li key={p.id}>
              {p.displayName} <span className="hint">({p.username})</span>{' '}
              <button type="button" className="button button--secondary" disabled={saveMember.isPending} onClick={() => void add(p)}>
                Add {p.displayName}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
