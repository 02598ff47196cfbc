-- The built-in clinic policy (version 1, workflows/src/policy/defaults.ts) pages the biomedical
-- engineering on-call for medical devices and the help desk for P4s; without these teams a fresh
-- installation's pages would name nobody (announced as failed deliveries). Demo members, like 004's.
insert into teams (id, name, tier, time_zone, weekly_hours, lead_username, updated_by) values
  ('biomed', 'Biomedical engineering', 1, 'America/New_York',
   '{"mon":[{"start":"07:00","end":"19:00"}],"tue":[{"start":"07:00","end":"19:00"}],"wed":[{"start":"07:00","end":"19:00"}],"thu":[{"start":"07:00","end":"19:00"}],"fri":[{"start":"07:00","end":"19:00"}],"sat":[],"sun":[]}',
   'otto.oncall', 'system:migration'),
  ('it-helpdesk', 'IT help desk (low priority)', 1, 'America/New_York',
   '{"mon":[{"start":"08:00","end":"18:00"}],"tue":[{"start":"08:00","end":"18:00"}],"wed":[{"start":"08:00","end":"18:00"}],"thu":[{"start":"08:00","end":"18:00"}],"fri":[{"start":"08:00","end":"18:00"}],"sat":[],"sun":[]}',
   'alex.agent', 'system:migration')
on conflict (id) do nothing;

insert into team_members (team_id, username, display_name, skills, updated_by) values
  ('biomed', 'otto.oncall', 'Otto Oncall', '{medical_device}', 'system:migration'),
  ('it-helpdesk', 'alex.agent', 'Alex Agent', '{ehr,network}', 'system:migration')
on conflict (team_id, username) do nothing;
