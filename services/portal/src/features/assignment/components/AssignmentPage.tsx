import { useEffect, useId, useState, type FormEvent, type ReactElement } from 'react';
import { ApiError } from '../../../lib/api/client.js';
import type { OnCallShift, Team, TeamMember } from '../../../lib/api/types.js';
import { useIdentity } from '../../../lib/session.js';
import { useAddShift, useAssignmentRules, useOnCall, useRemoveShift, useSaveAssignmentRules, useSaveMember, useTeams } from '../api/assignment.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { CATEGORIES } from '../../../lib/labels.js';
import {
  defaultShift,
  fromLocalInput,
  moveRule,
  newRuleKey,
  otherIssues,
  parseSkills,
  ruleIssues,
  toDrafts,
  toRulesBody,
  type FieldIssue,
  type RuleDraft,
} from '../logic/assignment.js';
import { PageHeading } from '../../../components/PageHeading.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);
const detailsOf = (err: unknown): FieldIssue[] => (err instanceof ApiError ? err.details : []);

/**
 * Assignment rules and on-call rotas: the teams with their members (skills, availability), the
 * ordered rules that route a new ticket to a team, and each team's on-call shifts. IT leads edit;
 * IT agents read.
 */
export function AssignmentPage() {
  const identity = useIdentity();
  const canEdit = identity.roles.includes('it_lead');
  const teamsQuery = useTeams();
  const teams = teamsQuery.data ?? null;
  const error = teamsQuery.error ? errorText(teamsQuery.error, 'The teams could not be loaded.') : null;

  return (
    <>
      <PageHeading>Assignment and on-call</PageHeading>
      <p className="lead">
        Who new tickets go to: the teams and their members, the rules that pick a team, and who is on call outside working hours.
        {!canEdit && ' You can read these; only IT leads can change them.'}
      </p>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {!teams && !error && (
        <p className="loading" role="status">
          Loading the teams…
        </p>
      )}
      {teams && (
        <>
          <RulesSection teams={teams} canEdit={canEdit} />
          {teams.map((t) => (
            <TeamSection key={t.id} team={t} canEdit={canEdit} />
          ))}
        </>
      )}
    </>
  );
}

function RulesSection({ teams, canEdit }: { teams: Team[]; canEdit: boolean }) {
  const idBase = useId();
  const id = (k: string) => `${idBase}-${k}`;
  const [drafts, setDrafts] = useState<RuleDraft[] | null>(null);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const rules = useAssignmentRules();
  const saveRules = useSaveAssignmentRules();
  // The form edits its own copy of the rules, taken from the server each time they load or are saved.
  useEffect(() => {
    if (rules.data) setDrafts(toDrafts(rules.data));
  }, [rules.data]);
  useEffect(() => {
    if (rules.error) setError(errorText(rules.error, 'The assignment rules could not be loaded.'));
  }, [rules.error]);

  const discard = () => {
    setIssues([]);
    setError(null);
    void rules.refetch().then((r) => r.data && setDrafts(toDrafts(r.data)));
  };
  const update = (i: number, patch: Partial<RuleDraft>) => setDrafts((d) => d && d.map((r, n) => (n === i ? { ...r, ...patch } : r)));
  const add = () =>
    setDrafts((d) => [...(d ?? []), { key: newRuleKey(), category: '', siteId: '', teamId: teams.find((t) => t.tier === 1)?.id ?? teams[0]?.id ?? '', skills: '', escalationTeamId: '' }]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!drafts) return;
    setBusy(true);
    setNotice(null);
    try {
      const saved = await saveRules.mutateAsync(toRulesBody(drafts).rules);
      setIssues([]);
      setError(null);
      setNotice(`Saved ${saved.length} rule(s). New tickets are routed by them from now on.`);
    } catch (err) {
      setIssues(detailsOf(err));
      setError(errorText(err, 'The rules could not be saved.'));
    } finally {
      setBusy(false);
    }
  };

  const tier2 = teams.filter((t) => t.tier === 2);
  const unplaced = drafts ? otherIssues(issues, drafts.length) : issues;

  return (
    <section className="card" aria-labelledby={id('title')}>
      <h2 id={id('title')}>Routing rules</h2>
      <p className="hint">
        The most specific rule matching a new ticket wins (category and site, then one of them, then neither); equally specific rules go by their order here. Empty means any.
      </p>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {unplaced.length > 0 && (
        <div className="error-summary">
          <ul>
            {unplaced.map((i, n) => (
              <li key={`${i.path}-${n}`}>
                <code>{i.path}</code>: {i.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {notice && (
        <div className="notice notice--success" role="status">
          <p>{notice}</p>
        </div>
      )}
      {drafts && (
        <form className="form" onSubmit={(e) => void save(e)} aria-labelledby={id('title')} data-testid="assignment-rules">
          {drafts.length === 0 && <p className="empty">No rules: every new ticket goes to the default tier-1 team.</p>}
          <ol className="assignment-rules">
            {drafts.map((r, i) => {
              const f = (k: string) => id(`${r.key}-${k}`);
              const whole = ruleIssues(issues, i, null);
              const field = (name: string, label: string, control: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactElement, hint?: string) => {
                const msgs = ruleIssues(issues, i, name);
                const describedBy = [hint ? f(`${name}-hint`) : '', msgs.length ? f(`${name}-error`) : ''].filter(Boolean).join(' ') || undefined;
                return (
                  <div className={`field${msgs.length ? ' field--error' : ''}`}>
                    <label htmlFor={f(name)}>{label}</label>
                    {hint && (
                      <p className="hint" id={f(`${name}-hint`)}>
                        {hint}
                      </p>
                    )}
                    {control({ id: f(name), 'aria-invalid': msgs.length > 0, ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
                    {msgs.length > 0 && (
                      <p className="field-error" id={f(`${name}-error`)}>
                        {msgs.join('; ')}
                      </p>
                    )}
                  </div>
                );
              };
              return (
                <li key={r.key}>
                  <fieldset className="assignment-rule">
                    <legend>Rule {i + 1}</legend>
                    {whole.length > 0 && <p className="field-error">{whole.join('; ')}</p>}
                    <div className="filters__grid">
                      {field('category', 'Category', (p) => (
                        <select {...p} value={r.category} disabled={!canEdit} onChange={(e) => update(i, { category: e.target.value })}>
                          <option value="">Any category</option>
                          {CATEGORIES.map((c) => (
                            <option key={c.value} value={c.value}>
                              {c.label}
                            </option>
                          ))}
                          {r.category && !CATEGORIES.some((c) => c.value === r.category) && <option value={r.category}>{r.category}</option>}
                        </select>
                      ))}
                      {field('siteId', 'Site', (p) => <input {...p} type="text" value={r.siteId} readOnly={!canEdit} placeholder="any" onChange={(e) => update(i, { siteId: e.target.value })} />)}
                      {field('teamId', 'Team', (p) => (
                        <select {...p} value={r.teamId} disabled={!canEdit} onChange={(e) => update(i, { teamId: e.target.value })}>
                          {teams.map((t) => (
                            <option key={t.id} value={t.id}>
                              {t.name} ({t.id})
                            </option>
                          ))}
                          {!teams.some((t) => t.id === r.teamId) && <option value={r.teamId}>{r.teamId}</option>}
                        </select>
                      ))}
                      {field(
                        'requiredSkills',
                        'Required skills',
                        (p) => <input {...p} type="text" value={r.skills} readOnly={!canEdit} onChange={(e) => update(i, { skills: e.target.value })} />,
                        'Comma-separated, e.g. ehr, network',
                      )}
                      {field('escalationTeamId', 'Escalation team', (p) => (
                        <select {...p} value={r.escalationTeamId} disabled={!canEdit} onChange={(e) => update(i, { escalationTeamId: e.target.value })}>
                          <option value="">Default tier-2 team</option>
                          {tier2.map((t) => (
                            <option key={t.id} value={t.id}>
                              {t.name} ({t.id})
                            </option>
                          ))}
                          {r.escalationTeamId && !tier2.some((t) => t.id === r.escalationTeamId) && <option value={r.escalationTeamId}>{r.escalationTeamId}</option>}
                        </select>
                      ))}
                    </div>
                    {canEdit && (
                      <div className="form__actions">
                        <button type="button" className="button button--secondary" disabled={i === 0} onClick={() => setDrafts(moveRule(drafts, i, -1))}>
                          Move rule {i + 1} up
                        </button>
                        <button type="button" className="button button--secondary" disabled={i === drafts.length - 1} onClick={() => setDrafts(moveRule(drafts, i, 1))}>
                          Move rule {i + 1} down
                        </button>
                        <button type="button" className="button button--secondary" onClick={() => setDrafts(drafts.filter((_, n) => n !== i))}>
                          Remove rule {i + 1}
                        </button>
                      </div>
                    )}
                  </fieldset>
                </li>
              );
            })}
          </ol>
          {canEdit && (
            <div className="form__actions">
              <button type="button" className="button button--secondary" onClick={add}>
                Add a rule
              </button>
              <button type="submit" className="button button--primary" disabled={busy}>
                Save rules
              </button>
              <button type="button" className="button button--secondary" disabled={busy} onClick={discard}>
                Discard changes
              </button>
            </div>
          )}
        </form>
      )}
    </section>
  );
}

function TeamSection({ team, canEdit }: { team: Team; canEdit: boolean }) {
  const idBase = useId();
  return (
    <section className="card" aria-labelledby={`${idBase}-title`} data-testid={`team-${team.id}`}>
      <h2 id={`${idBase}-title`}>
        {team.name} <span className="tag">{team.id}</span> <span className="tag">tier {team.tier}</span>
      </h2>
      <p className="hint">
        Working hours in {team.timeZone}
        {team.leadUsername ? `; team lead ${team.leadUsername}` : ''}.
      </p>
      <MembersTable team={team} canEdit={canEdit} />
      <OnCallList team={team} canEdit={canEdit} />
    </section>
  );
}

function MembersTable({ team, canEdit }: { team: Team; canEdit: boolean }) {
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

function OnCallList({ team, canEdit }: { team: Team; canEdit: boolean }) {
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
