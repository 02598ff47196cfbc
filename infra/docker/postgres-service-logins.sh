#!/bin/sh
# Runs once, on the first start of an empty postgres volume (docker-entrypoint-initdb.d): the
# services' own logins and the NOLOGIN owners of their tables, from the one source the dev stack
# and the tests use too (infra/postgres/service-logins.sql). The passwords come from postgres.env.
set -eu
psql -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v audit_password="$AUDIT_DB_PASSWORD" \
  -v ticket_password="$TICKET_DB_PASSWORD" \
  -v identity_password="$IDENTITY_DB_PASSWORD" \
  -v notification_password="$NOTIFICATION_DB_PASSWORD" \
  -v worker_password="$WORKER_DB_PASSWORD" \
  -f /tierline/service-logins.sql
