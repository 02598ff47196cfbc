-- Files attached to tickets (docs/decisions/0037). The content lives in the object store under
-- object_key; this row is the only way to reach it. A row is written `pending` before the object
-- is put and becomes `stored` only after the put succeeded, in the transaction that also writes
-- its event: a crash in between leaves a pending row that nobody is shown and that the sweeper
-- removes with its object, so no object is left that nobody can see and no stored row points at
-- nothing.
create table ticket_attachments (
  id uuid primary key,
  ticket_id uuid not null references tickets (id) on delete cascade,
  object_key text not null unique,
  -- As uploaded, cleaned of paths and control characters; shown in Tierline only.
  file_name text not null,
  -- The type found in the content (magic bytes), never the one claimed.
  content_type text not null,
  size_bytes bigint not null check (size_bytes >= 0),
  sha256 text not null,
  uploaded_by text not null,
  uploaded_by_role text not null,
  -- The vendor's minimum-necessary view: IT marks what the vendor may see; default no.
  vendor_visible boolean not null default false,
  -- pending → stored; or pending → abandoned (claimed by the sweeper, which removes the object,
  -- then the row).
  state text not null default 'pending' check (state in ('pending', 'stored', 'abandoned')),
  created_at timestamptz not null default now(),
  stored_at timestamptz
);
create index ticket_attachments_ticket_idx on ticket_attachments (ticket_id, created_at);
create index ticket_attachments_unstored_idx on ticket_attachments (created_at) where state <> 'stored';

-- Attachment events (added, visibility changed) leave with the change that made them.
create table attachment_outbox (
  event_id uuid primary key,
  event jsonb not null,
  created_at timestamptz not null default now(),
  published_at timestamptz
);
create index attachment_outbox_unpublished_idx on attachment_outbox (created_at) where published_at is null;
