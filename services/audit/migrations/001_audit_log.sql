-- The append-only audit log: one row per event, chained by SHA-256 so that any edit, deletion,
-- reordering or truncation is detectable. `content` is the canonical JSON the hash covers,
-- stored as text (jsonb would re-serialise it and break the hashes).
create table audit_log (
  seq bigint primary key,
  event_id uuid not null unique,
  event_type text not null,
  ticket_id uuid,
  actor_kind text not null,
  actor_id text not null,
  actor_role text,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null default now(),
  content text not null,
  prev_hash char(64) not null,
  hash char(64) not null unique
);

create index audit_log_ticket_idx on audit_log (ticket_id, seq);
create index audit_log_type_idx on audit_log (event_type, seq);
create index audit_log_actor_idx on audit_log (actor_id, seq);
create index audit_log_occurred_idx on audit_log (occurred_at);
