-- Mail in tells the sender which files of their mail were not added to the ticket, and why
-- (docs/decisions/0036): one more kind of automatic answer, claimed once per message like the others.
alter table inbound_replies drop constraint inbound_replies_kind_check;
alter table inbound_replies add constraint inbound_replies_kind_check check (kind in ('unknown_sender', 'ticket_closed', 'not_allowed', 'files_refused'));
