-- The free text of ticket actions is stored with the ticket, like comments, and events name it
-- by id only (docs/decisions/0022): the reason of a priority change or of a reopen, the question
-- put to the requester, the hand-off note for the vendor, the resolution note.
alter table ticket_comments add column kind text not null default 'comment'
  check (kind in ('comment', 'priority_reason', 'question', 'handoff_note', 'resolution', 'reopen_reason'));

-- Reasons recorded before this change travelled in the timeline's event data: move them into
-- notes (the note takes the event's id) and leave the timeline with the id.
insert into ticket_comments (id, ticket_id, author_id, author_role, visibility, body, created_at, kind)
select event_id, ticket_id, actor_id,
       case when type = 'ticket.priority_changed' then 'it_agent' else 'unknown' end,
       case when type = 'ticket.priority_changed' then 'internal' else 'public' end,
       data->>'reason', occurred_at,
       case when type = 'ticket.priority_changed' then 'priority_reason' else 'reopen_reason' end
from ticket_timeline
where type in ('ticket.priority_changed', 'ticket.reopened') and data ? 'reason'
on conflict (id) do nothing;

update ticket_timeline
set data = (data - 'reason') || jsonb_build_object('reasonId', event_id::text)
where type in ('ticket.priority_changed', 'ticket.reopened') and data ? 'reason';
