-- Sites and vendor organisations. Keycloak groups (/sites/<id>, /vendors/<id>) carry
-- membership; these rows carry what Tierline knows about each place and vendor.
create table sites (
  id text primary key check (id ~ '^[a-z][a-z0-9_-]*$'),
  name text not null,
  time_zone text not null default 'UTC',
  created_at timestamptz not null default now()
);

create table vendor_orgs (
  id text primary key check (id ~ '^[a-z][a-z0-9_-]*$'),
  name text not null,
  created_at timestamptz not null default now()
);
