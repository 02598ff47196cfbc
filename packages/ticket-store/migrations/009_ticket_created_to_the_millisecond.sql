-- A ticket's creation time is shown by the API, and carried by the newest-first list cursor, to the
-- millisecond (JavaScript's precision). The column now holds the same precision, so the keyset
-- compare `created_at < cursor` meets the very value the cursor was made from: with microseconds
-- stored, a ticket opened in the same millisecond as a page's last one was skipped. Keeping the
-- plain column (rather than comparing date_trunc of it) keeps tickets_site_created_idx usable.
alter table tickets alter column created_at type timestamptz(3);
