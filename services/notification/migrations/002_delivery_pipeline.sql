-- What a delivery needs to be (re)sent later by the poller (quiet hours, bundling, retries)
-- without the original command: the command itself, the recipient as resolved, and the
-- scheduling and crash-recovery state.
create table commands (
  idempotency_key text primary key,
  payload jsonb not null,
  received_at timestamptz not null default now()
);

alter table deliveries
  add column kind text not null default 'page' check (kind in ('page', 'alert')),
  add column template text,
  add column recipient jsonb,
  -- Not null = deferred (quiet hours, rate-limit bundle, retry backoff); the poller sends it then.
  add column scheduled_at timestamptz,
  -- A send in progress holds this lease; a crashed sender's lease simply expires.
  add column claimed_until timestamptz,
  add column provider_message_id text,
  -- Rows sent together as one digest share a bundle id.
  add column bundle_id uuid,
  add column sent_at timestamptz;

create index deliveries_due_idx on deliveries (scheduled_at) where status = 'queued' and scheduled_at is not null;
create index deliveries_recent_idx on deliveries (recipient_id, channel, sent_at) where sent_at is not null;

-- Directory of people for the static resolver, used until the identity service offers
-- /api/v1/directory/users. Columns mirror the Recipient shape.
create table recipients (
  user_id text primary key,
  username text not null unique,
  display_name text not null,
  email text,
  mobile text check (mobile is null or mobile ~ '^\+[1-9][0-9]{1,14}$'),
  slack_handle text,
  teams_handle text,
  quiet_start text,
  quiet_end text,
  quiet_time_zone text,
  is_vendor boolean not null default false,
  vendor_org_id text,
  is_it_lead boolean not null default false,
  teams text[] not null default '{}',
  on_call_teams text[] not null default '{}'
);

-- Demo people (the same usernames as the realm's demo users). Slack handles are user ids,
-- because chat.postMessage addresses a user by id, not by "@name".
insert into recipients (user_id, username, display_name, email, mobile, slack_handle, teams_handle, is_vendor, vendor_org_id, is_it_lead, teams, on_call_teams) values
  ('demo-lee-lead', 'lee.lead', 'Lee Lead', 'lee.lead@tierline.test', '+15550100001', 'U0LEE00001', 'lee.lead@tierline.test', false, null, true, '{it-tier2}', '{it-tier2}'),
  ('demo-alex-agent', 'alex.agent', 'Alex Agent', 'alex.agent@tierline.test', '+15550100002', 'U0ALEX0002', 'alex.agent@tierline.test', false, null, false, '{it-tier1}', '{it-tier1}'),
  ('demo-sam-specialist', 'sam.specialist', 'Sam Specialist', 'sam.specialist@tierline.test', '+15550100003', 'U0SAM00003', 'sam.specialist@tierline.test', false, null, false, '{it-tier2}', '{}'),
  ('demo-val-vendor', 'val.vendor', 'Val Vendor', 'val.vendor@acme-it.test', '+15550100004', null, null, true, 'acme-it', false, '{}', '{}');
