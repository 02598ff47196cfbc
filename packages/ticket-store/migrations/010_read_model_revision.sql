-- The workflow numbers every read-model patch it builds (decision 39). The row keeps the number of
-- the patch it shows, and a patch is applied only when its number is higher, so an older patch
-- that lands late (a retried activity, two record activities in flight) cannot overwrite a newer
-- one. 0: the row as the ticket service inserted it, before the workflow's first patch.
alter table tickets add column read_model_rev bigint not null default 0;
