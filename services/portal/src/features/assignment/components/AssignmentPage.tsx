import { ApiError } from '../../../lib/api/client.js';
import { useIdentity } from '../../../lib/session.js';
import { useTeams } from '../api/assignment.js';
import { ErrorNotice } from '../../../components/ui.js';
import { PageHeading } from '../../../components/PageHeading.js';
import { RulesSection } from './RulesSection.js';
import { TeamSection } from './TeamSection.js';

const errorText = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

/**
 * Assignment rules and on-call: the teams with their members (added from the directory, skills,
 * availability, working hours), the ordered rules that route a new ticket to a team, and each
 * team's rotation, upcoming shifts and one-off shifts. IT leads edit; IT agents read.
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
