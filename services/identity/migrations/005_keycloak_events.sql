-- Keycloak's login events (logins, failures, second-factor changes) carried into the audit log
-- (see docs/decisions/0019-mfa-enrolment-by-emailed-link.md). One row per Keycloak event id that
-- was published: a round re-reads a little of what it read before (events may be stored late),
-- and these ids keep it from publishing one twice. The event's id is also the published
-- envelope's id, so a publish repeated after a crash is dropped by JetStream and the audit log.
create table keycloak_events_published (
  id uuid primary key,
  time timestamptz not null,
  published_at timestamptz not null default now()
);
create index keycloak_events_published_time on keycloak_events_published (time);
