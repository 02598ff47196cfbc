import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { ContactsSchema, type Contacts } from '@tierline/contracts';
import { AppError } from '@tierline/platform';
import type { IdentityAppEnv } from '../deps.js';
import { authErrorResponses, badRequestResponse, publishIdentityEvent } from './common.js';

// ContactsSchema is the contracts' (packages/contracts/src/contacts.ts): the portal's profile form checks with it too.
const EMPTY: Contacts = { email: null, mobile: null, slackHandle: null, teamsHandle: null, quietHours: null, preferredChannels: [] };

interface ContactsRow {
  email: string | null;
  mobile: string | null;
  slack_handle: string | null;
  teams_handle: string | null;
  quiet_hours: Contacts['quietHours'];
  preferred_channels: Contacts['preferredChannels'];
}

export const getMyContactsRoute = createRoute({
  method: 'get',
  path: '/api/v1/me/contacts',
  tags: ['Identity'],
  summary: 'My contact details and notification preferences',
  security: [{ bearerAuth: [] }],
  responses: { 200: { description: 'Mine (empty until set)', content: { 'application/json': { schema: ContactsSchema } } }, ...authErrorResponses },
});

export const putMyContactsRoute = createRoute({
  method: 'put',
  path: '/api/v1/me/contacts',
  tags: ['Identity'],
  summary: 'Replace my contact details and notification preferences',
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: ContactsSchema } } } },
  responses: {
    200: { description: 'Saved', content: { 'application/json': { schema: ContactsSchema } } },
    ...badRequestResponse,
    ...authErrorResponses,
  },
});

export function registerMyContacts(app: OpenAPIHono<IdentityAppEnv>): void {
  app.openapi(getMyContactsRoute, async (c) => {
    const actor = c.get('actor');
    if (actor.isServiceAccount) throw new AppError('FORBIDDEN', 'a service account has no contacts');
    const [row] = await c.get('deps').sql<ContactsRow[]>`select * from user_contacts where user_id = ${actor.id}`;
    if (!row) return c.json(EMPTY, 200);
    return c.json(
      {
        email: row.email,
        mobile: row.mobile,
        slackHandle: row.slack_handle,
        teamsHandle: row.teams_handle,
        quietHours: row.quiet_hours,
        preferredChannels: row.preferred_channels,
      },
      200,
    );
  });

  app.openapi(putMyContactsRoute, async (c) => {
    const actor = c.get('actor');
    if (actor.isServiceAccount) throw new AppError('FORBIDDEN', 'a service account has no contacts');
    const b = c.req.valid('json');
    const { sql } = c.get('deps');
    const [before] = await sql<ContactsRow[]>`select * from user_contacts where user_id = ${actor.id}`;
    await sql`
      insert into user_contacts (user_id, email, mobile, slack_handle, teams_handle, quiet_hours, preferred_channels, updated_at)
      values (${actor.id}, ${b.email}, ${b.mobile}, ${b.slackHandle}, ${b.teamsHandle}, ${b.quietHours ? sql.json(b.quietHours) : null}, ${b.preferredChannels}, now())
      on conflict (user_id) do update set email = excluded.email, mobile = excluded.mobile, slack_handle = excluded.slack_handle,
        teams_handle = excluded.teams_handle, quiet_hours = excluded.quiet_hours, preferred_channels = excluded.preferred_channels, updated_at = now()`;
    // The event names which fields changed, never their values (personal data stays in this service).
    const old: Contacts = before
      ? { email: before.email, mobile: before.mobile, slackHandle: before.slack_handle, teamsHandle: before.teams_handle, quietHours: before.quiet_hours, preferredChannels: before.preferred_channels }
      : EMPTY;
    const changed = (Object.keys(EMPTY) as (keyof Contacts)[]).filter((k) => JSON.stringify(old[k]) !== JSON.stringify(b[k]));
    if (changed.length) await publishIdentityEvent(c, 'identity.contacts_changed', { userId: actor.id, username: actor.username, fields: changed });
    return c.json(b, 200);
  });
}
