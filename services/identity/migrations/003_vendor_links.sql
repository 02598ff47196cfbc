-- Vendor signed links: a link in a vendor's notification that acknowledges one escalation of one
-- ticket without a login (see docs/decisions/0008-vendor-signed-links.md).

-- The development signing key, generated once by the first replica that starts without
-- VENDOR_LINK_SIGNING_KEY, so every replica and restart signs and verifies with the same key.
-- Production passes the key in the environment and leaves this table empty.
create table vendor_link_keys (
  purpose text primary key check (purpose = 'development'),
  kid text not null,
  private_jwk jsonb not null,
  created_at timestamptz not null default now()
);

-- One row per link. The token is not stored: Ed25519 signatures are deterministic, so the same
-- row signs to the same token again (a redelivered notification gets the same link back).
create table vendor_links (
  id uuid primary key,                       -- the token's `jti`
  ticket_id uuid not null,
  ticket_number text not null,
  priority text not null check (priority in ('P1', 'P2', 'P3', 'P4')),
  site_id text not null,
  level integer check (level is null or level >= 0),  -- escalation level; null for a hand-off
  vendor_org_id text not null,
  recipient_id text not null,                -- Keycloak `sub` of the vendor user (`sub` claim)
  deadline_at timestamptz,                   -- the vendor contract deadline shown on the page
  idempotency_key text not null,             -- the notification command's key
  issued_at timestamptz not null,            -- whole seconds: they are the token's iat and exp
  expires_at timestamptz not null check (expires_at > issued_at),
  used_at timestamptz,
  used_ip text,
  used_user_agent text,
  revoked_at timestamptz,
  revoked_by text,
  revoke_reason text,
  unique (idempotency_key, recipient_id),
  check (used_at is null or revoked_at is null)
);
create index vendor_links_ticket_idx on vendor_links (ticket_id, issued_at);

-- vendor_link.* events, written in the transaction that makes the change and published after it
-- commits; what NATS did not take is published again at start-up and every 30 s.
create table vendor_link_outbox (
  event_id uuid primary key,
  event jsonb not null,
  created_at timestamptz not null default now(),
  published_at timestamptz
);
create index vendor_link_outbox_unpublished_idx on vendor_link_outbox (created_at) where published_at is null;
