-- Major incidents (decision 40): a parent ticket and the tickets linked to it as its children. The
-- links live in the workflows; these columns are the read model of them, written by the workflows'
-- read-model patches like every other column the workflow keeps current.
alter table tickets add column major_incident boolean not null default false;
alter table tickets add column incident_parent_id uuid null;
create index tickets_incident_parent_idx on tickets (incident_parent_id) where incident_parent_id is not null;
