-- Runs once, on the first start of an empty postgres volume (docker-entrypoint-initdb.d).
-- POSTGRES_DB already created `tierline`; these are the other tenants of the same server.
CREATE DATABASE keycloak OWNER tierline;
CREATE DATABASE temporal OWNER tierline;
CREATE DATABASE temporal_visibility OWNER tierline;
