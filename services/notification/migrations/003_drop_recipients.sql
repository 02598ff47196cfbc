-- Recipients, their contacts and quiet hours now come from the identity service's directory, and
-- team membership and on-call rotas from the ticket service (src/recipients.ts). The table that
-- stood in for both until those APIs existed goes, with its demo rows.
drop table recipients;
