-- Maintenance windows (docs/decisions/0043): planned downtime for one category (or all) at a set
-- of sites, from starts_at to ends_at. A ticket opened in a window's scope while it is active is
-- held: it opens normally but its clocks start only when the window ends.
--
-- A window is never deleted: editing moves its times, ending it early sets ended_early_at (and
-- the end), cancelling a future one sets cancelled_at. Every change writes its audited event to
-- the policy outbox (003) in the same transaction.
create table maintenance_windows (
  id uuid primary key,
  title text not null check (length(title) between 3 and 200),
  -- null: every category.
  category text,
  site_ids text[] not null check (cardinality(site_ids) > 0),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  ended_early_at timestamptz,
  cancelled_at timestamptz,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_by text not null,
  updated_at timestamptz not null default now(),
  check (ends_at > starts_at)
);

create index maintenance_windows_ends_idx on maintenance_windows (ends_at) where cancelled_at is null;
