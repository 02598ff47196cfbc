-- Likely duplicates (decision 42). The report form and IT's ticket page ask, per site and category,
-- for the open major incidents and the P1/P2 opened in the policy's window: one index for both.
create index tickets_duplicates_idx on tickets (site_id, category, created_at desc)
  where status not in ('resolved', 'closed');

-- Automatic linking (the policy's duplicates.autoLink): the ticket service writes a row here in
-- the transaction that opens the ticket, then sends the parent's workflow its linkChild update.
-- A row not yet linked (the process died, Temporal was unreachable) is sent again by the
-- service's retry loop; the update id is the child's, so a second send is not a second link.
create table incident_autolinks (
  child_ticket_id uuid primary key references tickets (id),
  parent_ticket_id uuid not null references tickets (id),
  created_at timestamptz not null default now(),
  attempts integer not null default 0,
  -- When the parent took the child, or refused it for good (it was resolved meanwhile, …).
  done_at timestamptz,
  outcome text check (outcome in ('linked', 'refused')),
  last_error text
);
create index incident_autolinks_pending_idx on incident_autolinks (created_at) where done_at is null;
