import { useId } from 'react';
import type { Team } from '../../../lib/api/types.js';
import { MembersTable } from './MembersTable.js';
import { OnCallList } from './OnCallList.js';
import { RotationSection } from './RotationSection.js';
import { WorkingHours } from './WorkingHours.js';

export function TeamSection({ team, canEdit }: { team: Team; canEdit: boolean }) {
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
      {canEdit && <WorkingHours team={team} />}
      <RotationSection team={team} canEdit={canEdit} />
      <OnCallList team={team} canEdit={canEdit} />
    </section>
  );
}
