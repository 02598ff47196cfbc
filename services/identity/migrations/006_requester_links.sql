-- Requester links: the "Fixed" / "Not fixed" pair in the message that tells a requester her ticket
-- is resolved (see docs/decisions/0035-requester-links-fixed-not-fixed-and-satisfaction.md).
-- One row per pair: both tokens carry the row's id as `jti` and differ in their `ans` claim, so
-- using either spends the row, and with it both links. Tokens are not stored; Ed25519 signatures
-- are deterministic, so the row signs to the same pair again for a redelivered update.
create table requester_links (
  id uuid primary key,
  ticket_id uuid not null,
  ticket_number text not null,
  recipient_id text not null,                -- Keycloak `sub` of the requester (`sub` claim)
  idempotency_key text not null,             -- the update's key
  issued_at timestamptz not null,            -- whole seconds: they are the tokens' iat and exp
  expires_at timestamptz not null check (expires_at > issued_at),
  used_at timestamptz,
  used_answer text check (used_answer in ('fixed', 'not_fixed')),
  used_ip text,
  used_user_agent text,
  -- After "Fixed", the same link answers the one satisfaction question, once.
  satisfaction_at timestamptz,
  unique (idempotency_key, recipient_id),
  check ((used_at is null) = (used_answer is null)),
  check (satisfaction_at is null or used_answer = 'fixed')
);
create index requester_links_ticket_idx on requester_links (ticket_id, issued_at);
-- Events go through the identity service's link outbox (vendor_link_outbox, named for its first use).
