-- Refused vendor-link attempts, counted per window instead of one event each (docs/decisions/0021):
-- anyone can send garbage to /v/<token>, and each audit row is kept for ever, so a flood must cost
-- O(windows), not O(requests). One row per (window, reason, action, link); a tampered token has no
-- believable link id (null). A closed window becomes one vendor_link.refusals_counted event in
-- the outbox and its row goes, in one transaction, so no count is lost or sent twice.
create table vendor_link_refusal_counts (
  window_start timestamptz not null,
  window_ms integer not null check (window_ms > 0),
  reason text not null,
  action text not null check (action in ('open', 'acknowledge')),
  link_id uuid,
  ticket_id uuid,
  count integer not null default 1 check (count > 0),
  first_at timestamptz not null default now(),
  last_at timestamptz not null default now()
);
create unique index vendor_link_refusal_counts_key
  on vendor_link_refusal_counts (window_start, reason, action, coalesce(link_id, '00000000-0000-0000-0000-000000000000'::uuid));
