-- The user directory, mirrored from Keycloak (the identity provider stays the source of truth for
-- accounts, roles and group membership); refreshed at start-up and periodically, and written
-- through after each change made via this service.
create table users (
  id text primary key,               -- Keycloak `sub`
  username text not null,
  display_name text not null,
  email text,
  roles text[] not null default '{}',
  sites text[] not null default '{}',
  vendor_org text,
  enabled boolean not null,
  synced_at timestamptz not null default now()
);
create index users_roles_idx on users using gin (roles);
create index users_sites_idx on users using gin (sites);

-- Each person's own contact details and notification preferences. Kept apart from `users` so a
-- sync never overwrites them, and keyed by the Keycloak id (no foreign key: a sync may briefly
-- miss a user that Keycloak still has).
create table user_contacts (
  user_id text primary key,
  email text,
  mobile text check (mobile is null or mobile ~ '^\+[1-9][0-9]{6,14}$'),
  slack_handle text,
  teams_handle text,
  quiet_hours jsonb,
  preferred_channels text[] not null default '{}',
  updated_at timestamptz not null default now()
);
