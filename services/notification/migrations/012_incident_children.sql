-- Which tickets are children of a major incident (docs/decisions/0041), kept from the ticket events
-- `ticket.incident_linked` / `ticket.incident_unlinked` (both on the child): the children's
-- requesters are told of the parent's updates, in the bursts of their own tickets.
create table incident_children (
  child_ticket_id uuid primary key,
  parent_ticket_id uuid not null,
  linked_at timestamptz not null default now()
);
create index incident_children_parent_idx on incident_children (parent_ticket_id);
