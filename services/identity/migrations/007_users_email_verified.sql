-- Keycloak's emailVerified, mirrored with the account email: mail in matches a sender only on a
-- verified address (docs/decisions/0036). False until the next sync fills it in, so nobody is
-- matched on an address not yet known to be verified.
alter table users add column email_verified boolean not null default false;
